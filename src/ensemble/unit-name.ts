import path from 'node:path';

/** Longest unit name (a file name in the file view). */
export const MAX_NAME_LENGTH = 64;

/** Why `name` cannot be a unit name (a file name in the file view), or null when it can. */
export function unitNameProblem(name: string): string | null {
  if (name === '') return 'a name must not be empty';
  if (name === '.' || name === '..') return `"${name}" cannot be a name (it is a special file name)`;
  if (name.length > MAX_NAME_LENGTH) return `name "${name.slice(0, 20)}…" is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`;
  const bad = /[^A-Za-z0-9_.-]/.exec(name);
  if (bad) return `name "${name}" contains "${bad[0]}"; names may contain only letters, digits, "_", "." and "-" (they are file names in the file view)`;
  return null;
}

/** A name for a runner written without one (Tinkwell allows it): the path's base name without extension, made file-safe. */
export function deriveName(p: string): string {
  const base = path.basename(p.replace(/^@ensemble\//, '')).replace(/\.(?:m?js|cjs|ts|wasm|dll|exe)$/i, '');
  const safe = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '').slice(0, MAX_NAME_LENGTH);
  return safe === '' ? 'unit' : safe;
}

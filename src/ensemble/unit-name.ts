import path from 'node:path';
import { quoteShellWord } from '../common/shell-words.js';

/** Longest unit name (a file name in the file view). */
export const MAX_NAME_LENGTH = 64;

/** Characters Tinkwell refuses in names (its Ensamble.md, "A Note on Naming"). */
const TINKWELL_INVALID = /[[\]{}\\*:;"'=!?]/;
/** `/` (a path separator in the file view and in `node/unit`) and control or line-breaking characters. */
const NOT_IN_A_FILE_NAME = /[/\p{Cc}\p{Zl}\p{Zp}]/u;
/** Whitespace other than a plain space (tabs and the like make names that look alike). */
const ODD_SPACE = /(?! )\s/u;

/**
 * Why `name` cannot be a unit (or node) name, or null when it can. Names are
 * file names in the file view and words on the command line; Tinkwell's rules
 * apply: any characters but `[ ] { } \ * : ; " ' = ! ?` (and `/`, control
 * characters, tabs), not starting with `+`, `-` or `/`, nor with `__`
 * unless a compose template made it (Tinkwell reserves `__` for those: `__@api__firmlet`).
 * Spaces are allowed inside (`"name with spaces"`), not at either end.
 */
export function unitNameProblem(name: string, origin?: { readonly compose: string | null }): string | null {
  if (name === '') return 'a name must not be empty';
  if (name === '.' || name === '..') return `"${name}" cannot be a name (it is a special file name)`;
  if (name.length > MAX_NAME_LENGTH) return `name "${name.slice(0, 20)}…" is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`;
  const shown = JSON.stringify(name);
  const bad = NOT_IN_A_FILE_NAME.exec(name) ?? TINKWELL_INVALID.exec(name) ?? ODD_SPACE.exec(name);
  if (bad) {
    const c = bad[0];
    const char = c === '"' ? "'\"'" : /[\p{Cc}\p{Zl}\p{Zp}\s]/u.test(c) ? `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
    return `name ${shown} contains ${char}; names may not contain [ ] { } \\ * : ; " ' = ! ? / or control characters (they are file names in the file view)`;
  }
  if (name.trim() !== name) return `name ${shown} starts or ends with a space`;
  const prefix = ['+', '-', '/'].find((p) => name.startsWith(p));
  if (prefix) return `name ${shown} starts with "${prefix}"; names may not start with + - / or __`;
  if (name.startsWith('__') && !origin?.compose) return `name ${shown} starts with "__", which is reserved for names compose templates make`;
  return null;
}

/** A name for a runner written without one (Tinkwell allows it): the path's base name without extension, made file-safe. */
export function deriveName(p: string): string {
  const base = path.basename(p.replace(/^@ensemble\//, '')).replace(/\.(?:m?js|cjs|ts|wasm|dll|exe)$/i, '');
  const safe = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[.+-]+/, '').replace(/^_+/, (m) => (m.length > 1 ? '_' : m)).slice(0, MAX_NAME_LENGTH);
  return safe === '' ? 'unit' : safe;
}

/** Whether `name` can be the name of a unit or of a host's child, written or made by a compose template (`__@api__firmlet`). */
export function isUnitName(name: string): boolean {
  return unitNameProblem(name, { compose: 'template' }) === null;
}

/**
 * A name as a shell would need it typed: as is when it is one shell word
 * (`api`, `__@api__firmlet`), else in single quotes (`'name with spaces'`), as
 * `ls` shows such file names ({@link quoteShellWord}).
 */
export function shellQuoteName(name: string): string {
  return quoteShellWord(name);
}

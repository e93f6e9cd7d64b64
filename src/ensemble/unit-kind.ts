import path from 'node:path';
import type { UnitKind } from './plan.js';

/** Prefix of built-in units and hosts (units/ in the package). */
export const BUILTIN_PREFIX = '@ensemble/';

/**
 * The kind a runner path implies: `*.js|*.mjs|*.cjs|*.ts` node,
 * `*.wasm` wasm, `@ensemble/<name>` builtin, anything else exec.
 */
export function kindOfPath(p: string): UnitKind {
  if (p.startsWith(BUILTIN_PREFIX)) return 'builtin';
  if (/\.(?:m?js|cjs|ts)$/i.test(p)) return 'node';
  if (/\.wasm$/i.test(p)) return 'wasm';
  return 'exec';
}

/**
 * What is started for a path of a given kind: builtins stay as written,
 * node/wasm modules resolve against `baseDir`, executables resolve when they
 * contain a slash (`./x`, `../x`, `bin/x`, absolute) and stay bare otherwise
 * (PATH lookup at launch).
 */
export function resolveCommand(p: string, kind: UnitKind, baseDir: string): string {
  if (kind === 'builtin' || (kind === 'exec' && p.startsWith(BUILTIN_PREFIX))) return p;
  if (kind === 'exec' && !p.includes('/')) return p;
  return path.resolve(baseDir, p);
}

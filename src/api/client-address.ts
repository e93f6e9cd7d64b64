import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UnreachableError } from '../common/errors.js';
import { runtimePaths } from '../common/runtime-dir.js';
import { trustedApiAddress } from '../supervisor/runtime-dir-trust.js';

/** The supervisor address a client uses, and how it was chosen (for error messages). */
export interface SupervisorTarget {
  /** gRPC target: `unix:/path/api.sock` or `host:port`. */
  readonly address: string;
  /** e.g. `from --supervisor`, `from ENSEMBLE_SUPERVISOR`, `from ./system.ensemble`. */
  readonly how: string;
}

/** Turn what a user typed into a gRPC target: a bare path becomes `unix:PATH`. */
export function normalizeAddress(value: string): string {
  if (value.startsWith('unix:')) return value;
  if (value.startsWith('/') || value.startsWith('./') || value.startsWith('../')) return `unix:${value}`;
  return value;
}

/**
 * The ensemble file of a directory, as `supervisor run` without FILE and the
 * client verbs look for it: `system.ensemble`, else the only `*.ensemble`;
 * when there is no `.ensemble` file, Tinkwell's `ensamble.tw`, else the only
 * `*.tw` (docs/tinkwell.md). Null when there is none; throws an
 * UnreachableError when several could be meant.
 */
export function findEnsembleFile(cwd: string): string | null {
  const entries = readdirSync(cwd);
  for (const [preferred, ext] of [['system.ensemble', '.ensemble'], ['ensamble.tw', '.tw']] as const) {
    if (entries.includes(preferred) && existsSync(join(cwd, preferred))) return preferred;
    const found = entries.filter((f) => f.endsWith(ext)).sort();
    if (found.length > 1) {
      throw new UnreachableError(`cannot tell which supervisor to use: ${found.join(', ')} are in this directory and none is ${preferred}; use --supervisor ADDR`);
    }
    if (found.length === 1) return found[0] as string;
  }
  return null;
}

/**
 * Find the supervisor as docs/cli.md "Finding the supervisor" says: `--supervisor ADDR`, then
 * `ENSEMBLE_SUPERVISOR`, then the runtime directory of the ensemble in `cwd`
 * ({@link findEnsembleFile}). Throws an UnreachableError (exit code 2) saying
 * what was looked for when none applies, and a RuntimeDirError when the
 * runtime directory is not safe to dial through.
 */
export function resolveSupervisorTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): SupervisorTarget {
  if (flag) return { address: normalizeAddress(flag), how: 'from --supervisor' };
  if (env.ENSEMBLE_SUPERVISOR) return { address: normalizeAddress(env.ENSEMBLE_SUPERVISOR), how: 'from ENSEMBLE_SUPERVISOR' };
  const file = findEnsembleFile(cwd);
  if (file === null) {
    throw new UnreachableError('cannot find the supervisor: no --supervisor, no ENSEMBLE_SUPERVISOR, and no .ensemble file in the current directory');
  }
  return { address: trustedApiAddress(runtimePaths(join(cwd, file), env)), how: `from ./${file}` };
}

import { findExecutable } from '../../common/find-executable.js';

let cached: string | null | undefined;

/**
 * The `setpriv` binary of util-linux, used to start units with
 * `--pdeathsig SIGKILL`; null when it is not installed (then only the reaper
 * protects against orphans).
 */
export function findSetpriv(): string | null {
  if (cached === undefined) {
    const found = findExecutable('setpriv', { cwd: '/', pathEnv: process.env.PATH ?? '/usr/bin:/bin' });
    cached = found.found ? found.file : null;
  }
  return cached;
}

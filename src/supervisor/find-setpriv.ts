import { findExecutable } from './launch-command.js';

let cached: string | null | undefined;

/**
 * The `setpriv` binary of util-linux, used to start units with
 * `--pdeathsig SIGKILL`; null when it is not installed (then only the reaper
 * protects against orphans).
 */
export function findSetpriv(): string | null {
  if (cached === undefined) {
    try {
      cached = findExecutable('setpriv', 'setpriv', '/', process.env.PATH ?? '/usr/bin:/bin');
    } catch {
      cached = null;
    }
  }
  return cached;
}

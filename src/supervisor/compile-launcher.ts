import type { CompileLauncher } from '../ensemble/bounded-compile.js';
import { findSetpriv } from './find-setpriv.js';

/**
 * How bounded compiles start their process here: under
 * `setpriv --pdeathsig SIGKILL` when util-linux has it, so a compiling
 * process busy with a pathological file dies with its parent (a killed
 * supervisor or CLI) instead of running on.
 */
export function compileLauncher(): CompileLauncher {
  const setpriv = findSetpriv();
  return setpriv ? { prefix: [setpriv, '--pdeathsig', 'SIGKILL', '--'] } : {};
}

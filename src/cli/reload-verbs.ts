import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath } from '../ensemble/diagnostic.js';
import { isEnsembleError } from '../common/errors.js';
import { formatReload } from './format-reload.js';
import { runtimePaths } from '../common/runtime-dir.js';
import { trustedApiAddress } from '../supervisor/runtime-dir-trust.js';
import { resolveSupervisorTarget, type SupervisorTarget } from '../api/client-address.js';
import type { ClientOptions, VerbOutput } from './client-verbs.js';
import { SupervisorClient } from '../api/supervisor-client.js';

/** Options of `supervisor reload|diff`. */
export interface ReloadVerbOptions extends ClientOptions {
  readonly json?: boolean;
  /** List unchanged units too. */
  readonly all?: boolean;
}

/**
 * `supervisor reload [FILE]` (apply) and `supervisor diff [FILE]` (dry run).
 * Prints the result (readable or `--json`); exit 0. A plan with errors prints
 * every error as `file:line:col: message` (paths relative to the current
 * directory when inside it) and exits 1; nothing was changed. Exit 2 when the
 * supervisor cannot be reached.
 */
export async function reloadVerb(mode: 'reload' | 'diff', file: string | undefined, opts: ReloadVerbOptions, io: VerbOutput): Promise<number> {
  const abs = file === undefined ? '' : resolve(file);
  const client = new SupervisorClient(targetFor(abs, opts));
  try {
    const result = await client.reload(abs, mode === 'diff');
    io.out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatReload(result, { all: opts.all === true }));
    return 0;
  } catch (e) {
    if (isEnsembleError(e) && e.code === 'ENS_E_PLAN') {
      io.err(`${relativePaths(e.message)}\n`);
      return 1;
    }
    throw e;
  } finally {
    client.close();
  }
}

/** `--supervisor`, ENSEMBLE_SUPERVISOR, the supervisor running FILE (when its socket exists), then the current directory's. */
function targetFor(file: string, opts: ClientOptions): SupervisorTarget {
  if (!opts.supervisor && !process.env.ENSEMBLE_SUPERVISOR && file !== '') {
    const paths = runtimePaths(file);
    if (existsSync(paths.apiSocket)) return { address: trustedApiAddress(paths), how: `from ${displayPath(file)}` };
  }
  return resolveSupervisorTarget(opts.supervisor);
}

/** Show the absolute paths the supervisor sends relative to the current directory when inside it. */
function relativePaths(message: string): string {
  return message
    .split('\n')
    .map((line) => line.replace(/^(\/[^:\n]+)(:\d+:\d+: |: \d+ errors?; )/, (_, path: string, rest: string) => `${displayPath(path)}${rest}`))
    .join('\n');
}

import type { Command } from 'commander';
import { psVerb } from '../api/client-verbs.js';
import { action } from './action.js';

/** `supervisor ps [--json]`: every unit with state, pid, restarts, cpu, memory, uptime and last error. */
export function registerPs(program: Command): void {
  program
    .command('ps')
    .description('list the units of the running supervisor')
    .option('--json', 'print the units as JSON')
    .action(action(async (opts: { json?: boolean }, cmd: Command) => psVerb({ ...cmd.optsWithGlobals<{ supervisor?: string }>(), json: opts.json === true })));
}

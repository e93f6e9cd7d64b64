import type { Command } from 'commander';
import { logsVerb, parseLineCount } from '../api/client-verbs.js';
import { action } from './action.js';

/** `supervisor logs UNIT [-f] [-n N]`: a unit's captured output. */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("print a unit's captured output (every kept line, or the last N), and follow it with -f")
    .argument('<unit>', 'unit name')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('-n, --lines <n>', 'print only the last N kept lines first')
    .action(
      action(async (unit: string, opts: { follow?: boolean; lines?: string }, cmd: Command) =>
        logsVerb(unit, {
          ...cmd.optsWithGlobals<{ supervisor?: string }>(),
          follow: opts.follow === true,
          ...(opts.lines === undefined ? {} : { lines: parseLineCount(opts.lines) }),
        }),
      ),
    );
}

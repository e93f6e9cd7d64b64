import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor logs UNIT|NODE/UNIT [-f] [-n N]`: a unit's captured output (NODE/UNIT: a unit on another node). */
export function registerLogs(program: Command): void {
  withNodeOption(program.command('logs'))
    .description("print a unit's captured output (every kept line, or the last N), and follow it with -f")
    .argument('<unit>', 'unit name, or NODE/UNIT for a unit on another node')
    .option('-f, --follow', 'keep printing new lines until interrupted')
    .option('-n, --lines <n>', 'print only the last N kept lines first')
    .action(
      action(async (target: string, opts: { follow?: boolean; lines?: string }, cmd: Command) => {
        const { logsVerb, parseLineCount } = await import('./client-verbs.js');
        const { networkLogsVerb, parseNodeUnit } = await import('./network-verbs.js');
        const flags = {
          ...cmd.optsWithGlobals<{ supervisor?: string }>(),
          follow: opts.follow === true,
          ...(opts.lines === undefined ? {} : { lines: parseLineCount(opts.lines) }),
        };
        const { node, unit } = parseNodeUnit(target);
        return node === null ? logsVerb(unit, flags, stdio) : networkLogsVerb(node, unit, flags, stdio);
      }),
    );
}

import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor fs ls|cat|write PATH [VALUE]`: the file view through the API (no FUSE needed). */
export function registerFs(program: Command): void {
  withNodeOption(program.command('fs'))
    .description('list, read or write the file view through the API (the same tree as the FUSE mount)')
    .argument('<op>', 'ls, cat or write')
    .argument('<path>', 'a file view path, e.g. units/sensor/temperature or status/api/state')
    .argument('[value]', 'for write: the value (default: read from stdin)')
    .action(action(async (op: string, path: string, value: string | undefined, _opts: unknown, cmd: Command) => {
        const { fsVerb } = await import('./fs-verb.js');
        return fsVerb(op, path, value, { ...cmd.optsWithGlobals<{ supervisor?: string }>(), out: (t) => void stdio.out(t) });
      }),
    );
}

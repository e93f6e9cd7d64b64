import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor reload [FILE] [--json] [--all]`: apply the file's plan to the running system. */
export function registerReload(program: Command): void {
  withNodeOption(program.command('reload'))
    .description('apply the ensemble file to the running system: start added, stop removed, restart changed units; unchanged units keep running')
    .argument('[file]', 'the .ensemble file (default: the one the supervisor runs)')
    .option('--json', 'print the result as JSON')
    .option('--all', 'list unchanged units too')
    .action(
      action(async (file: string | undefined, _opts: unknown, cmd: Command) => {
        const { reloadVerb } = await import('./reload-verbs.js');
        return reloadVerb('reload', file, cmd.optsWithGlobals<{ supervisor?: string; json?: boolean; all?: boolean }>(), stdio);
      }),
    );
}

import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** `supervisor diff [FILE] [--json] [--all]`: what `reload` would do, without doing it. */
export function registerDiff(program: Command): void {
  withNodeOption(program.command('diff'))
    .description('show what `supervisor reload` would do, without doing it')
    .argument('[file]', 'the .ensemble file (default: the one the supervisor runs)')
    .option('--json', 'print the result as JSON')
    .option('--all', 'list unchanged units too')
    .action(
      action(async (file: string | undefined, _opts: unknown, cmd: Command) => {
        const { reloadVerb } = await import('./reload-verbs.js');
        return reloadVerb('diff', file, cmd.optsWithGlobals<{ supervisor?: string; json?: boolean; all?: boolean }>(), stdio);
      }),
    );
}

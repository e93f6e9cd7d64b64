import type { Command } from 'commander';
import { action } from './action.js';
import { withNodeOption } from './node-option.js';
import { stdio } from './stdio-output.js';

/** The help line of `reload` and `diff`. */
const DESCRIPTIONS = {
  reload: 'apply the ensemble file to the running system: start added, stop removed, restart changed units; unchanged units keep running',
  diff: 'show what `supervisor reload` would do, without doing it',
} as const;

/**
 * `supervisor reload [FILE] [--json] [--all]`: apply the file's plan to the
 * running system; `supervisor diff [FILE] [--json] [--all]`: what `reload`
 * would do, without doing it. Both take the same arguments and print the same
 * report (src/cli/format-reload.ts).
 */
export function registerReloadVerb(program: Command, verb: 'reload' | 'diff'): void {
  withNodeOption(program.command(verb))
    .description(DESCRIPTIONS[verb])
    .argument('[file]', 'the .ensemble file (default: the one the supervisor runs)')
    .option('--json', 'print the result as JSON')
    .option('--all', 'list unchanged units too')
    .action(
      action(async (file: string | undefined, _opts: unknown, cmd: Command) => {
        const { reloadVerb } = await import('./reload-verbs.js');
        return reloadVerb(verb, file, cmd.optsWithGlobals<{ supervisor?: string; json?: boolean; all?: boolean }>(), stdio);
      }),
    );
}

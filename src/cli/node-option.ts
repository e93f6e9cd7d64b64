import type { Command } from 'commander';

/** The help text of a client verb's `--node`. */
const NODE_HELP = "talk to the supervisor running the ensemble of the current directory as this node (default: ENSEMBLE_NODE, else the default node)";

/**
 * Give a client verb `--node N`: which of this machine's supervisors of the
 * ensemble in the current directory to reach when several run it as
 * different nodes (docs/cli.md "Which supervisor"). It is the same as
 * `ENSEMBLE_NODE=N` for this one command; `--supervisor` and
 * `ENSEMBLE_SUPERVISOR` still win over both.
 */
export function withNodeOption(command: Command): Command {
  return command.option('--node <name>', NODE_HELP).hook('preAction', (cmd) => {
    const node = (cmd.opts() as { node?: string }).node;
    if (node !== undefined) process.env.ENSEMBLE_NODE = node;
  });
}

/** The node `run`, `check` and `render` compile for: `--node`, else `ENSEMBLE_NODE`, else none (the hostname). */
export function nodeFlag(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): { node?: string } {
  const node = flag ?? (env.ENSEMBLE_NODE || undefined);
  return node !== undefined ? { node } : {};
}

import type { VerbOutput } from './client-verbs.js';

/**
 * The process's stdout and stderr as a {@link VerbOutput}: what every command
 * hands the verb it runs. Only src/cli/ writes to stdout (eslint.config.js);
 * the verbs write where they are told.
 */
export const stdio: VerbOutput = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  drained: () =>
    Promise.all([process.stdout, process.stderr].map((s) => (s.writableNeedDrain ? new Promise<void>((r) => s.once('drain', () => r())) : undefined))).then(() => undefined),
};

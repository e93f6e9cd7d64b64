import { existsSync, readdirSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../common/errors.js';
import type { LogFormat } from '../supervisor/logs/create-logger.js';
import { action, EXIT_USER_ERROR } from './action.js';
import { nodeFlag } from './node-option.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

interface RunFlags {
  node?: string;
  listen?: string;
  peer: string[];
  mount?: string;
  fs: boolean;
  set: string[];
  logFormat?: string;
  metrics?: string;
  lastGood?: boolean;
}

/**
 * `supervisor run [FILE] [--node N] [--listen ADDR] [--peer ADDR]… [--mount DIR]
 * [--no-fs] [--set k=v]… [--log-format json|pretty] [--metrics ADDR] [--last-good]`:
 * run the system until SIGTERM/SIGINT (exit 0). A bad ensemble prints every
 * error and starts nothing (exit 1).
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the system described by an .ensemble file until SIGTERM/SIGINT')
    .argument('[file]', "the .ensemble file (default: system.ensemble; Tinkwell's ensamble.tw where there is no .ensemble file)")
    .option('--node <name>', 'the node this supervisor is (default: ENSEMBLE_NODE, else the hostname)')
    .option('--listen <addr>', 'also serve the API on this TCP address (networked)')
    .option('--peer <addr>', 'a peer supervisor (repeatable)', collect, [])
    .option('--mount <dir>', 'where to mount the file view (default: in the runtime directory)')
    .option('--no-fs', 'do not mount the file view')
    .option('--set <key=value>', 'a parameter, seen as params.key (repeatable)', collect, [])
    .option('--log-format <format>', 'json or pretty (default: pretty on a terminal, else json)')
    .option('--metrics <addr>', 'serve Prometheus metrics on this address')
    .option('--last-good', 'if the file does not validate, run the last plan this ensemble applied (with a warning naming the errors)')
    .action(
      action(async (given: string | undefined, flags: RunFlags) => {
        // Without FILE: system.ensemble, or Tinkwell's ensamble.tw in a directory with no .ensemble file (the file client verbs then find).
        const file = given ?? (existsSync('ensamble.tw') && !readdirSync('.').some((f) => f.endsWith('.ensemble')) ? 'ensamble.tw' : 'system.ensemble');
        const logFormat = flags.logFormat ?? 'auto';
        if (logFormat !== 'json' && logFormat !== 'pretty' && logFormat !== 'auto') {
          throw new InvalidArgumentError(`--log-format must be json or pretty, not "${logFormat}"`);
        }
        // Loaded here, not at the top: other verbs need none of it (and `run` none of theirs).
        const [{ displayPath, formatDiagnostic, moreErrorsLine, parseParams, PlanError }, { runSystem }, { tuneForDaemon }, { raiseFdLimit }] = await Promise.all([
          import('../ensemble/index.js'),
          import('../system/run-system.js'),
          import('../system/daemon-tuning.js'),
          import('../supervisor/process/fd-limit.js'),
        ]);
        tuneForDaemon();
        // Soft RLIMIT_NOFILE towards the hard limit (docs/network.md "Connection limits"); the network plugin reports it.
        raiseFdLimit();
        try {
          return await runSystem({
            file,
            params: parseParams(flags.set),
            ...nodeFlag(flags.node),
            listen: flags.listen ?? null,
            peers: flags.peer,
            mount: flags.mount ?? null,
            fs: flags.fs,
            metrics: flags.metrics ?? null,
            logFormat: logFormat as LogFormat,
            lastGood: flags.lastGood === true,
          });
        } catch (e) {
          if (!(e instanceof PlanError)) throw e;
          for (const d of e.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
          if (e.omitted > 0) process.stderr.write(`${moreErrorsLine(e.omitted)}\n`);
          const n = e.total;
          process.stderr.write(`${displayPath(file)}: ${n} error${n === 1 ? '' : 's'}; nothing was started\n`);
          return EXIT_USER_ERROR;
        }
      }),
    );
}

import type { LogFormat } from '../supervisor/logs/create-logger.js';

/**
 * The options of `supervisor run` (src/cli/run.ts), as {@link runSystem} and
 * its plugins see them. Each flag is carried here unchanged;
 * `compileSystemSpec` resolves them once into the `SystemSpec` that plugins read.
 */
export interface RunOptions {
  /** The ensemble file (default `system.ensemble` in the current directory). */
  readonly file: string;
  /** `--node N`: the node to compile the plan for (default: the host name). */
  readonly node?: string;
  /** `--set k=v`: template parameters. */
  readonly params?: Readonly<Record<string, string>>;
  /** `--listen ADDR`: TCP address of the networked API. */
  readonly listen?: string | null;
  /** `--peer ADDR`: peer supervisors. */
  readonly peers?: readonly string[];
  /** `--mount DIR`: where the file view is mounted (default: the runtime directory's `fs`). */
  readonly mount?: string | null;
  /** False with `--no-fs`. */
  readonly fs?: boolean;
  /** `--metrics ADDR`: Prometheus metrics endpoint. */
  readonly metrics?: string | null;
  /**
   * `--last-good`: when the file does not validate, run the last plan this
   * ensemble applied (stored in its state directory) and warn (docs/reload.md).
   */
  readonly lastGood?: boolean;
  /** `--log-format json|pretty` (default: pretty on a terminal). */
  readonly logFormat?: LogFormat;
  /** The environment to read `env.NAME`, runtime homes and `PATH` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

import type { Logger } from 'pino';
import type { Plan } from '../ensemble/plan.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import type { LogFormat } from '../supervisor/logs/create-logger.js';
import type { RuntimePaths } from '../common/runtime-dir.js';

/**
 * The options of `supervisor run` (src/cli/run.ts), as {@link runSystem} and
 * its plugins see them. Each flag is carried here unchanged; the plugin that
 * implements it reads it.
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

/** What a plugin gets when the system starts. */
export interface PluginContext {
  /** The running supervisor (units are not started yet when `start` is called, unless the plugin starts {@link SystemPlugin.afterUnits}). */
  readonly control: SupervisorControl;
  readonly plan: Plan;
  readonly paths: RuntimePaths;
  readonly logger: Logger;
  readonly options: RunOptions;
}

/**
 * A part of the running system besides the units: the gRPC API, the file
 * view, the network, metrics. Plugins start in order and stop in reverse
 * order after every unit has stopped. A plugin starts before the units unless
 * it says {@link afterUnits} (then right after the units were started, so
 * they need not wait for it). A plugin whose `prepare` or `start` throws
 * aborts the run (units already started are stopped again).
 */
export interface SystemPlugin {
  readonly name: string;
  /**
   * Start right after the units instead of before them: units do not need
   * this plugin at their very start (the API: the SDK waits for its socket).
   * Default false.
   */
  readonly afterUnits?: boolean;
  /** Checks that must pass before any unit starts (e.g. the configuration of an `afterUnits` plugin). */
  prepare?(ctx: PluginContext): Promise<void> | void;
  start(ctx: PluginContext): Promise<void>;
  stop(): Promise<void>;
}

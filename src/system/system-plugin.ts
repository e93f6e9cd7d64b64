import type { Logger } from 'pino';
import type { Plan } from '../ensemble/plan.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import type { RuntimePaths } from '../common/runtime-dir.js';
import type { RunOptions } from './run-options.js';
import type { SystemSpec } from './system-spec.js';

export type { RunOptions } from './run-options.js';

/** What a plugin gets when the system starts. */
export interface PluginContext {
  /** The running supervisor (units are not started yet when `start` is called, unless the plugin starts {@link SystemPlugin.afterUnits}). */
  readonly control: SupervisorControl;
  readonly plan: Plan;
  readonly paths: RuntimePaths;
  readonly logger: Logger;
  /** The flags as given (prefer {@link spec}: what they resolve to). */
  readonly options: RunOptions;
  /** The options resolved once for this run: the file view's directory, metrics, the network configuration. */
  readonly spec: SystemSpec;
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

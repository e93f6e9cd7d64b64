import { resolve } from 'node:path';
import type { Plan } from '../ensemble/plan.js';
import { renderBudgetFromEnv, type RenderBudget } from '../ensemble/render-budget.js';
import type { NetworkConfig } from '../network/network-config.js';
import type { RuntimePaths } from '../common/runtime-dir.js';
import type { RunOptions } from './run-options.js';

/**
 * The options of one `supervisor run`, resolved once against the plan, the
 * runtime paths and the environment (as Temporal compiles worker options
 * before it runs a worker): what every plugin reads, instead of each plugin
 * reading the raw flags and resolving them again.
 */
export interface SystemSpec {
  /** The environment of the run (`RunOptions.env`, default `process.env`). */
  readonly env: NodeJS.ProcessEnv;
  /** The render budget of every compile after the first (ENSEMBLE_RENDER_TIMEOUT/MEMORY). */
  readonly budget: RenderBudget;
  /** Where the file view is mounted (`--mount DIR`, default `paths.mountDir`), or null with `--no-fs`. */
  readonly fileViewDir: string | null;
  /** `--metrics ADDR`, or null without the flag. */
  readonly metrics: string | null;
  /** The network configuration (the `network` block, `--listen`, `--peer` and the environment), or null when not networked. */
  readonly network: NetworkConfig | null;
}

/**
 * The directory where the file view will be served, or null with `--no-fs`:
 * units may not run inside it (see `SupervisorOptions.fileViewDir`).
 */
export function fileViewDir(options: RunOptions, paths: RuntimePaths): string | null {
  if (options.fs === false) return null;
  return options.mount ? resolve(options.mount) : paths.mountDir;
}

/**
 * Resolves the options of a run once. A bad network configuration throws
 * `InvalidArgumentError` with one line (the run stops before any unit starts).
 * The network's module is loaded here, not gRPC: nothing of it is needed to
 * read the configuration.
 */
export async function compileSystemSpec(options: RunOptions, plan: Plan, paths: RuntimePaths): Promise<SystemSpec> {
  const env = options.env ?? process.env;
  const { resolveNetworkConfig } = await import('../network/network-config.js');
  return {
    env,
    budget: renderBudgetFromEnv(env),
    fileViewDir: fileViewDir(options, paths),
    metrics: options.metrics === undefined || options.metrics === '' ? null : options.metrics,
    network: resolveNetworkConfig(plan, options, env),
  };
}

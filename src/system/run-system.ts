import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ApiPlugin } from './api-plugin.js';
import { loadPlan as defaultLoadPlan } from '../ensemble/load-plan.js';
import { renderBudgetFromEnv } from '../ensemble/render-budget.js';
import type { Plan } from '../ensemble/plan.js';
import { FsPlugin } from './fs-plugin.js';
import { MetricsPlugin } from './metrics-plugin.js';
import { HealthMonitor } from '../health/health-monitor.js';
import { createLimitsEnforcer } from '../health/limits-enforcer.js';
import { ResourceSampler } from '../health/resource-sampler.js';
import { sampledLimitViolation } from '../health/sampled-limits.js';
import { LazyPlugin } from './lazy-plugin.js';
import { lazyProbeFactory } from './lazy-probe-factory.js';
import type { NetworkPlugin } from './network-plugin.js';
import { boundedPlanLoader } from '../supervisor/process/compile-launcher.js';
import { createLogger } from '../supervisor/logs/create-logger.js';
import type { HealthServices } from '../supervisor/health-services.js';
import { addActiveSecrets, setActiveSecrets } from '../ensemble/active-secrets.js';
import { loadLastGoodPlan, saveLastGoodPlan } from '../supervisor/reload/last-good-plan.js';
import { formatAbsolute, PlanRejectedError } from '../supervisor/reload/plan-rejected-error.js';
import type { Diagnostic } from '../ensemble/diagnostic.js';
import { runtimePaths, type RuntimePaths } from '../common/runtime-dir.js';
import { RuntimeOwner } from '../supervisor/runtime-owner.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { PluginContext, RunOptions, SystemPlugin } from './system-plugin.js';
import { compileSystemSpec, fileViewDir } from './system-spec.js';

export type { RunOptions } from './system-plugin.js';

/** Compiles the ensemble file (the language's `loadPlan`). */
export type PlanLoader = (file: string, options: { params?: Record<string, string>; node?: string; env?: NodeJS.ProcessEnv }) => Promise<Plan>;

/** What {@link runSystem} can be given besides the CLI options (tests, benchmarks, embedding). */
export interface RunHooks {
  /** Default: `loadPlan` from src/ensemble, in a bounded child process once the supervisor runs (`boundedPlanLoader`, budget from ENSEMBLE_RENDER_TIMEOUT/MEMORY). */
  readonly loadPlan?: PlanLoader;
  /** Default: {@link builtinPlugins}. */
  readonly plugins?: readonly SystemPlugin[];
  /** Default: the probes, monitor, sampler and limits of src/health. */
  readonly health?: HealthServices | null;
  /** Default: pino on stdout in the `logFormat` of the options. */
  readonly logger?: Logger;
  /** Handle SIGTERM/SIGINT/SIGHUP (default true). */
  readonly handleSignals?: boolean;
  /** Called once the supervisor runs (after plugins started, units starting). */
  readonly onStarted?: (supervisor: Supervisor, paths: RuntimePaths) => void;
}

/**
 * The plugins of every run: the gRPC API, the file view, the network and
 * metrics (each reads what it needs from the resolved `ctx.spec`).
 *
 * The file view and metrics start before the units (a unit may read the
 * mount as it starts; a bad metrics address stops the run before anything
 * starts) and load their modules only when used. The API and the network
 * start right after the units, which do not wait for them: a unit that
 * connects early finds the socket path fixed and the SDK waits for it
 * (`waitForReady`). Their modules (gRPC, protobuf) load while the units start.
 */
export function builtinPlugins(_options: RunOptions): SystemPlugin[] {
  // The network extends the API (federated registry, Network service) and starts right after it.
  let networkPlugin: Promise<NetworkPlugin> | null = null;
  let networkInstance: NetworkPlugin | null = null;
  const loadNetwork = (): Promise<NetworkPlugin> => (networkPlugin ??= import('./network-plugin.js').then((m) => (networkInstance = new m.NetworkPlugin())));
  let apiPlugin: ApiPlugin | null = null;
  const api = new LazyPlugin({
    name: 'api',
    afterUnits: true,
    load: async () => {
      const [{ ApiPlugin }, network] = await Promise.all([import('./api-plugin.js'), loadNetwork()]);
      apiPlugin = new ApiPlugin(network);
      return apiPlugin;
    },
  });
  // A bad network configuration stops the run before any unit starts: runSystem resolves it (compileSystemSpec).
  const network = new LazyPlugin({ name: 'network', afterUnits: true, load: loadNetwork });
  // peers/ of the file view asks the network lazily (the view starts before the network).
  return [api, network, new FsPlugin(() => apiPlugin?.api?.registry ?? null, (resources) => networkInstance?.peerTrees(resources) ?? null), new MetricsPlugin()];
}

/** The health layer wired for the supervisor (the probes, and gRPC with them, load with the first probe). */
export function defaultHealthServices(paths: RuntimePaths, logger: Logger): HealthServices {
  return {
    createProbe: lazyProbeFactory(),
    createMonitor: (spec, probe, handlers) => new HealthMonitor(spec, probe, handlers),
    sampler: new ResourceSampler(),
    limits: createLimitsEnforcer({ instance: `${paths.id}-${process.pid}`, log: (message) => logger.warn(message) }),
    sampledLimitViolation,
  };
}

/**
 * The plan to start from: the file's, or with `--last-good` and a file that
 * does not validate, the last plan this ensemble applied (with a warning that
 * names the errors). Without a stored plan the file's errors are thrown.
 */
async function initialPlan(options: RunOptions, env: NodeJS.ProcessEnv, logger: Logger, loadFile: () => Promise<Plan>): Promise<{ plan: Plan; fromLastGood: boolean }> {
  try {
    return { plan: await loadFile(), fromLastGood: false };
  } catch (e) {
    const diagnostics = (e as { diagnostics?: unknown }).diagnostics;
    if (!options.lastGood || !Array.isArray(diagnostics)) throw e;
    const paths = runtimePaths(options.file, env, options.node ?? hostname());
    const errors = (diagnostics as Diagnostic[]).map((d) => formatAbsolute(d).split('\n')[0] ?? d.message);
    let stored;
    try {
      stored = loadLastGoodPlan(paths.stateDir);
    } catch (missing) {
      logger.error({ errors }, `--last-good: the ensemble file does not validate and ${(missing as Error).message}`);
      throw e;
    }
    if (options.node !== undefined && stored.plan.node !== options.node) {
      logger.error({ errors }, `--last-good: the last good plan is for node "${stored.plan.node}", not "${options.node}"`);
      throw e;
    }
    const when = new Date(stored.appliedAt).toISOString();
    logger.warn(
      { errors, lastGood: { appliedAt: when, units: stored.plan.units.length } },
      `WARNING: ${options.file} does not validate (${errors.join('; ')}); running the last good plan applied at ${when} instead (--last-good)`,
    );
    return { plan: stored.plan, fromLastGood: true };
  }
}

/**
 * `supervisor run`: compile the plan, take the runtime directory (cleaning
 * after a killed predecessor), start the plugins, then the units, and run
 * until SIGTERM/SIGINT or a `shutdown` call. Shutdown stops every unit in
 * reverse dependency order, then the plugins, and resolves 0. A second
 * SIGTERM/SIGINT kills every unit process group at once (resolves 1).
 *
 * Throws `PlanError` (nothing started) for a bad ensemble file and
 * `RuntimeDirError` when another live supervisor runs the same ensemble.
 */
export async function runSystem(options: RunOptions, hooks: RunHooks = {}): Promise<number> {
  const env = options.env ?? process.env;
  const logger = hooks.logger ?? (await createLogger(options.logFormat ?? 'auto', process.stdout));
  const budget = renderBudgetFromEnv(env);
  // The initial plan compiles here, within Liquid's limits of the budget: nothing runs yet and
  // the start stays fast. Every later compile (reload, diff, the file view's reload) runs in a
  // bounded child process, so a file cannot block or kill the running supervisor.
  const load = hooks.loadPlan ?? boundedPlanLoader(budget);
  const loadInitial: PlanLoader = hooks.loadPlan ?? ((file, o) => defaultLoadPlan(file, { ...o, budget }));
  const loadOptions = {
    params: { ...(options.params ?? {}) },
    ...(options.node !== undefined ? { node: options.node } : {}),
    env,
  };
  const { plan, fromLastGood } = await initialPlan(options, env, logger, () => loadInitial(options.file, loadOptions));
  setActiveSecrets(plan);
  // Keyed by the node asked for (--node), not plan.node: a plan handed in without --node runs in the default node's directory.
  const paths = runtimePaths(plan.file, env, options.node ?? hostname());
  const owner = RuntimeOwner.take(paths);
  const { cleanup } = owner;
  if (cleanup.stalePid !== null || cleanup.killedPids.length > 0 || cleanup.removedSocket || cleanup.unmounted) {
    logger.warn(
      { stalePid: cleanup.stalePid, killedPids: cleanup.killedPids, removedSocket: cleanup.removedSocket, unmounted: cleanup.unmounted },
      'cleaned up after a supervisor that did not shut down cleanly',
    );
  }
  const supervisor = new Supervisor({
    plan,
    paths,
    logger,
    fileViewDir: fileViewDir(options, paths),
    health: hooks.health === undefined ? defaultHealthServices(paths, logger) : hooks.health,
    onGroupsChanged: (groups) => owner.recordGroups(groups),
    // A new plan's secrets are masked from the moment it exists (a diff's too: masking more is harmless).
    loadPlan: async (file) => addActiveSecrets(await load(file, loadOptions)),
    onPlanApplied: (applied, initial) => {
      setActiveSecrets(applied);
      // A run from the last good plan does not store it again (its time stays the original one).
      if (initial && fromLastGood) return;
      try {
        saveLastGoodPlan(paths.stateDir, applied);
      } catch (e) {
        logger.warn(`cannot store the last good plan: ${(e as Error).message}`);
      }
    },
  });
  const plugins = hooks.plugins ?? builtinPlugins(options);
  const started: SystemPlugin[] = [];
  let forced = false;
  let signals = 0;
  const onStopSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      logger.info({ signal }, 'stopping every unit (send the signal again to kill them at once)');
      void supervisor.shutdown();
    } else {
      forced = true;
      logger.warn({ signal }, 'second signal: killing every unit now');
      supervisor.killAll();
    }
  };
  const onHangup = (): void => {
    logger.info({ signal: 'SIGHUP' }, 'reloading the ensemble file');
    supervisor.reload().catch((e: Error) => {
      // A rejected plan was logged with every error by the reload itself.
      if (!(e instanceof PlanRejectedError)) logger.warn({ signal: 'SIGHUP' }, `reload failed: ${e.message}`);
    });
  };
  const handleSignals = hooks.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGTERM', onStopSignal);
    process.on('SIGINT', onStopSignal);
    process.on('SIGHUP', onHangup);
  }
  try {
    try {
      // The options are resolved once (a bad network configuration throws here, before any unit starts).
      const spec = await compileSystemSpec(options, plan, paths);
      const ctx: PluginContext = { control: supervisor, plan, paths, logger, options, spec };
      for (const plugin of plugins) await plugin.prepare?.(ctx);
      for (const plugin of plugins.filter((p) => p.afterUnits !== true)) {
        await plugin.start(ctx);
        started.push(plugin);
      }
      // The units start as soon as nothing they need is missing: the plugins
      // that come after them load and start while the first units run.
      if (signals === 0) supervisor.start();
      for (const plugin of plugins.filter((p) => p.afterUnits === true)) {
        await plugin.start(ctx);
        started.push(plugin);
      }
    } catch (e) {
      await supervisor.shutdown();
      throw e;
    }
    logger.info({ file: plan.file, node: plan.node, units: plan.units.length, runtimeDir: paths.runtimeDir, reaperPid: supervisor.reaperPid }, 'supervisor running');
    hooks.onStarted?.(supervisor, paths);
    if (signals === 0) {
      void supervisor
        .waitFor((units) => units.length > 0 && units.every((u) => u.state === 'ready'))
        .then(() => {
          if (supervisor.status().state === 'running') logger.info({ units: plan.units.length }, 'all units ready');
        });
    } else {
      void supervisor.shutdown();
    }
    await supervisor.whenStopped();
    logger.info('every unit stopped');
  } finally {
    for (const plugin of started.reverse()) {
      try {
        await plugin.stop();
      } catch (e) {
        logger.warn({ plugin: plugin.name }, `plugin stop failed: ${(e as Error).message}`);
      }
    }
    owner.release();
    if (handleSignals) {
      process.off('SIGTERM', onStopSignal);
      process.off('SIGINT', onStopSignal);
      process.off('SIGHUP', onHangup);
    }
  }
  return forced ? 1 : 0;
}

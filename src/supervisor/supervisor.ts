import { createHash, timingSafeEqual } from 'node:crypto';
import { stopInReverseDependencyOrder } from './lifecycle/stop-order.js';
import type { Logger } from 'pino';
import { resolve } from 'node:path';
import type { Diagnostic } from '../ensemble/diagnostic.js';
import type { Plan, PropertyValue, UnitSpec } from '../ensemble/plan.js';
import { InvalidArgumentError, isEnsembleError, StateError, UnitNotFoundError, UnsupportedError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import type { ReloadAction, ReloadResult, SupervisorControl } from './lifecycle/control.js';
import type { HealthServices, ResourceSample } from './health-services.js';
import { findSetpriv } from './process/find-setpriv.js';
import type { LaunchOptions } from './process/launch-command.js';
import { LogHub } from './logs/log-hub.js';
import { OperatorState } from './lifecycle/operator-state.js';
import { Reaper } from './process/reaper.js';
import { applyPlan, planActions, reloadResult, type PlanTarget } from './reload/apply-plan.js';
import { diffPlans, type PlanDiff } from './reload/plan-diff.js';
import { formatAbsolute, PlanRejectedError } from './reload/plan-rejected-error.js';
import { PropertyWatchers, type Properties } from './reload/property-watchers.js';
import { SerialQueue } from './reload/serial-queue.js';
import type { RuntimePaths } from '../common/runtime-dir.js';
import { Unit, type UnitHost } from './lifecycle/unit.js';
import { UnitQueue } from './lifecycle/unit-queue.js';
import type { LogLine, SupervisorState, SupervisorStatus, UnitStatus } from './lifecycle/unit-state.js';
import { isUp } from './lifecycle/unit-transitions.js';
import { notifyAll } from '../common/notify-all.js';

/**
 * Default interval of resource sampling (cpu/memory in the unit status, and
 * limits enforced by sampling). One round reads every process's
 * `/proc/<pid>/stat` (about 20 µs each), the main cost of an idle supervisor.
 */
export const DEFAULT_SAMPLE_INTERVAL_MS = 10_000;

/** How a {@link Supervisor} is built. */
export interface SupervisorOptions {
  readonly plan: Plan;
  readonly paths: RuntimePaths;
  readonly logger: Logger;
  /** Probes, monitors, sampling and limits; null runs without them (no `health` readiness). */
  readonly health?: HealthServices | null;
  readonly launch?: LaunchOptions;
  /** `setpriv` for `--pdeathsig SIGKILL`: `auto` (default) looks it up on PATH, null disables it. */
  readonly setpriv?: string | null | 'auto';
  readonly sampleIntervalMs?: number;
  /** Lines kept in memory per unit for `tailLogs`. */
  readonly ringLines?: number;
  /** Called with every live unit process group id whenever that set changes (the runtime directory records it). */
  readonly onGroupsChanged?: (pgids: number[]) => void;
  /**
   * Builds a plan from an ensemble file for `reload`/`diff` (with the params,
   * node and environment the supervisor was started with). Without it,
   * reload and diff throw ENS_E_UNSUPPORTED.
   */
  readonly loadPlan?: (file: string) => Promise<Plan>;
  /** Called when a plan was applied: at `start()` (initial) and after every reload (the last good plan is stored here). */
  readonly onPlanApplied?: (plan: Plan, initial: boolean) => void;
  /** Remember operator stops in the state directory across restarts (default true). */
  readonly operatorState?: boolean;
  /**
   * Where this process serves the file view (FUSE), or null. A unit whose
   * working directory or program lies inside it is refused (`failed`): the
   * mount is served from this event loop, which a spawn into it would block.
   */
  readonly fileViewDir?: string | null;
}

/**
 * The supervisor: one {@link Unit} state machine per unit of the plan,
 * dependency-ordered start (independent units in parallel), reverse-ordered
 * stop, logs, and the {@link SupervisorControl} operations used by the API,
 * the file view and the CLI.
 */
export class Supervisor implements SupervisorControl {
  readonly logs: LogHub;
  private readonly units = new Map<string, Unit>();
  private readonly listeners = new Set<(status: UnitStatus) => void>();
  private readonly reaper: Reaper;
  private readonly host: UnitHost;
  private state: SupervisorState = 'starting';
  private readonly startedAt = Date.now();
  private resolver: (unit: string) => string | null = () => null;
  private shutdownPromise: Promise<void> | null = null;
  private readonly stoppedSignal: { promise: Promise<void>; resolve: () => void };
  private sampleTimer: NodeJS.Timeout | null = null;
  private groupsWrite: NodeJS.Immediate | null = null;
  private recheckQueued = false;
  private currentPlan: Plan;
  private readonly operator: OperatorState | null;
  /** Plan changes (reload, AddUnit, RemoveUnit), one at a time: each starts from the plan the previous one left. */
  private readonly reloads = new SerialQueue();
  /** Transitions asked of a unit from outside its state machine, one at a time per unit (see UnitQueue). */
  private readonly queue = new UnitQueue();
  private readonly watchers = new PropertyWatchers();

  constructor(private readonly options: SupervisorOptions) {
    this.currentPlan = options.plan;
    this.operator = options.operatorState === false ? null : OperatorState.load(options.paths.stateDir, (m) => options.logger.warn(m));
    if (this.operator?.problem) options.logger.warn(this.operator.problem);
    let resolveStopped: () => void = () => {};
    this.stoppedSignal = { promise: new Promise((r) => (resolveStopped = r)), resolve: () => resolveStopped() };
    this.logs = new LogHub(options.paths.logDir, options.logger, options.ringLines);
    this.reaper = new Reaper((message) => options.logger.warn(message));
    const setpriv = options.setpriv === undefined || options.setpriv === 'auto' ? findSetpriv() : options.setpriv;
    this.host = {
      paths: options.paths,
      logs: this.logs,
      reaper: this.reaper,
      launch: options.fileViewDir ? { ...options.launch, fileViewDir: options.fileViewDir } : (options.launch ?? {}),
      setpriv,
      health: options.health ?? null,
      baseEnv: { ...process.env },
      blockedBy: (unit) => this.blockedBy(unit),
      changed: (unit) => this.unitChanged(unit),
      groupsChanged: () => this.groupsChanged(),
      address: (unit) => this.resolver(unit),
    };
    for (const spec of options.plan.units) this.addUnitObject(spec);
  }

  get plan(): Plan {
    return this.currentPlan;
  }

  /** Start the reaper and every unit (each as soon as its dependencies are ready). Returns at once. */
  start(): void {
    if (this.state !== 'starting') throw new StateError(`the supervisor is ${this.state}`);
    this.reaper.start();
    this.state = 'running';
    const interval = this.options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
    if (this.options.health?.sampler) {
      this.sampleTimer = setInterval(() => void this.sample(), interval);
      this.sampleTimer.unref();
    }
    this.operator?.retain(this.units.keys());
    for (const unit of this.units.values()) {
      if (this.operator?.isStopped(unit.name)) {
        this.logs.supervisorLine(unit.name, 'info', 'kept stopped: an operator stopped it before the supervisor restarted (`supervisor start` starts it)');
        void unit.stop(true);
      } else {
        void unit.start(false);
      }
    }
    this.options.onPlanApplied?.(this.currentPlan, true);
  }

  /** Pid of the orphan reaper process (for tests and `ps`). */
  get reaperPid(): number | null {
    return this.reaper.pid;
  }

  status(): SupervisorStatus {
    const all = [...this.units.values()];
    return {
      state: this.state,
      pid: process.pid,
      version: VERSION,
      node: this.currentPlan.node,
      file: this.currentPlan.file,
      startedAt: this.startedAt,
      units: all.length,
      readyUnits: all.filter((u) => isUp(u.state)).length,
    };
  }

  listUnits(): UnitStatus[] {
    return [...this.units.values()].map((u) => u.status());
  }

  getUnit(name: string): UnitStatus {
    return this.unit(name).status();
  }

  // Operator transitions wait for the unit's queue and look the unit up only then:
  // a reload queued before them may have replaced (or removed) it meanwhile.

  async startUnit(name: string): Promise<UnitStatus> {
    return this.operatorStart(name, false);
  }

  async stopUnit(name: string): Promise<UnitStatus> {
    this.unit(name);
    return this.queue.run([name], async () => {
      const unit = this.unit(name);
      // Remembered before the stop is carried out: a crash mid-stop still keeps it down.
      this.operator?.setStopped(name, true);
      return unit.stop(true);
    });
  }

  async restartUnit(name: string): Promise<UnitStatus> {
    return this.operatorStart(name, true);
  }

  /**
   * An operator's start (or restart, `stopFirst`): the unit's queue is held
   * until the start took effect, not while the unit gets ready.
   */
  private async operatorStart(name: string, stopFirst: boolean): Promise<UnitStatus> {
    this.assertRunning();
    this.unit(name);
    const { settled } = await this.queue.run([name], async () => {
      this.assertRunning();
      const unit = this.unit(name);
      this.operator?.setStopped(name, false);
      if (stopFirst) {
        await unit.stop(false);
        // A shutdown that began during the stop keeps the unit down.
        if (this.state !== 'running') return { settled: Promise.resolve(unit.status()) };
      }
      return this.begin(unit);
    });
    return settled;
  }

  /**
   * An operator start holds the unit's queue until it took effect (the process is
   * being created, or the unit waits for a dependency), not while the unit gets
   * ready: a stop asked meanwhile interrupts the wait. The answer still comes once
   * the unit settled (wrapped, so the queue does not wait for it).
   */
  private async begin(unit: Unit): Promise<{ settled: Promise<UnitStatus> }> {
    const { begun, settled } = unit.startTracked(true);
    await begun;
    return { settled };
  }

  async addUnit(spec: UnitSpec): Promise<UnitStatus> {
    this.assertRunning();
    return this.reloads.run(() =>
      this.queue.run([spec.name], async () => {
        this.assertRunning();
        if (this.units.has(spec.name)) throw new InvalidArgumentError(`unit "${spec.name}" already exists`);
        const missing = spec.dependsOn.filter((d) => !this.units.has(d));
        if (missing.length > 0) throw new InvalidArgumentError(`unit "${spec.name}" depends on unknown unit(s): ${missing.join(', ')}`);
        const unit = this.addUnitObject(spec);
        this.currentPlan = { ...this.currentPlan, units: [...this.currentPlan.units, spec] };
        return unit.start(false);
      }),
    );
  }

  async removeUnit(name: string): Promise<void> {
    this.unit(name);
    return this.reloads.run(() =>
      this.queue.run([name], async () => {
        const unit = this.unit(name);
        await unit.stop(true);
        unit.dispose();
        this.units.delete(name);
        this.logs.close(name);
        this.operator?.setStopped(name, false);
        this.currentPlan = { ...this.currentPlan, units: this.currentPlan.units.filter((u) => u.name !== name) };
      }),
    );
  }

  markReady(name: string): void {
    this.unit(name).markReady();
  }

  tailLogs(name: string, n: number): LogLine[] {
    this.unit(name);
    return this.logs.tail(name, n);
  }

  subscribeLogs(name: string | null, listener: (line: LogLine) => void): () => void {
    if (name !== null) this.unit(name);
    return this.logs.subscribe(name, listener);
  }

  onUnitChange(listener: (status: UnitStatus) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  unitForToken(token: string): string | null {
    const given = digest(token);
    let found: string | null = null;
    // Compare against every unit so the time taken does not depend on which one matches.
    for (const unit of this.units.values()) {
      const current = unit.currentToken();
      if (current !== null && timingSafeEqual(given, digest(current))) found = unit.name;
    }
    return found;
  }

  setAddressResolver(resolver: (unit: string) => string | null): void {
    this.resolver = resolver;
  }

  reload(file?: string): Promise<ReloadResult> {
    return this.reloads.run(() => this.runReload(file, true));
  }

  diff(file?: string): Promise<ReloadResult> {
    return this.reloads.run(() => this.runReload(file, false));
  }

  watchProperties(name: string, listener: (properties: Readonly<Record<string, PropertyValue>>) => void): () => void {
    const unit = this.unit(name);
    const off = this.watchers.add(name, unit.currentToken(), listener);
    listener(unit.spec.properties);
    return off;
  }

  /**
   * Stop every unit in reverse dependency order (a unit stops once everything
   * that depends on it has stopped; independent units stop in parallel), then
   * end the reaper. Idempotent.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.stopAll();
    return this.shutdownPromise;
  }

  /** Resolves once a shutdown (from a signal, the API or the CLI) has stopped everything. */
  whenStopped(): Promise<void> {
    return this.stoppedSignal.promise;
  }

  /** SIGKILL every unit process group at once (a second Ctrl-C). */
  killAll(): void {
    for (const unit of this.units.values()) unit.kill();
  }

  /** Resolves when `predicate` holds for the unit statuses (checked on every change). */
  waitFor(predicate: (units: UnitStatus[]) => boolean): Promise<void> {
    if (predicate(this.listUnits())) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.onUnitChange(() => {
        if (predicate(this.listUnits())) {
          off();
          resolve();
        }
      });
    });
  }

  // ---------------------------------------------------------------- internals

  private async stopAll(): Promise<void> {
    this.state = 'stopping';
    if (this.sampleTimer) clearInterval(this.sampleTimer);
    await stopInReverseDependencyOrder([...this.units.values()]);
    for (const unit of this.units.values()) unit.dispose();
    if (this.groupsWrite) {
      clearImmediate(this.groupsWrite);
      this.groupsWrite = null;
      this.options.onGroupsChanged?.(this.liveGroups());
    }
    this.reaper.close();
    this.logs.closeAll();
    this.state = 'stopped';
    this.stoppedSignal.resolve();
  }

  /** One reload or diff (serialised by the caller). */
  private async runReload(file: string | undefined, apply: boolean): Promise<ReloadResult> {
    if (this.state !== 'running') throw new StateError(`the supervisor is ${this.state}; try again once it runs`);
    const load = this.options.loadPlan;
    if (!load) throw new UnsupportedError('reload is not available: this supervisor was started from a fixed plan, not an ensemble file');
    const target = resolve(file ?? this.currentPlan.file);
    const verb = apply ? 'reload' : 'diff';
    let next: Plan;
    try {
      next = await load(target);
    } catch (e) {
      const diagnostics = planDiagnostics(e);
      if (!diagnostics) throw e;
      const rejected = new PlanRejectedError(target, diagnostics);
      this.options.logger.error({ file: target, errors: diagnostics.map((d) => formatAbsolute(d).split('\n')[0]) }, `${verb}: the new plan has ${diagnostics.length} error(s); nothing was changed`);
      throw rejected;
    }
    // The plan changes only inside this.reloads (reloads, AddUnit, RemoveUnit), so the diff holds until the end.
    const diff = diffPlans(this.currentPlan, next);
    if (!apply) return reloadResult(target, diff, planActions(diff, this.planTarget()), false);
    // Every unit this reload touches waits for (and then holds) its queue: an operator restart
    // in flight ends before the reload stops the unit, and one asked meanwhile runs on the new unit.
    const touched = diff.units.filter((u) => u.change !== 'unchanged').map((u) => u.name);
    return this.queue.run(touched, () => this.applyReload(target, next, diff));
  }

  /** Apply a loaded plan; the caller holds the queue of every unit the diff touches. */
  private async applyReload(target: string, next: Plan, diff: PlanDiff): Promise<ReloadResult> {
    if (this.state !== 'running') throw new StateError(`the supervisor is ${this.state}`);
    // Decided now, not when the plan was loaded: an operator may have stopped or started a unit meanwhile.
    const actions = planActions(diff, this.planTarget());
    const result = reloadResult(target, diff, actions, true);
    this.options.logger.info(
      { file: target, added: result.added, removed: result.removed, restarted: result.restarted, updated: result.updated, unchanged: result.unchanged.length, network: result.network?.fields ?? [] },
      'reload: applying the new plan',
    );
    await applyPlan(next, diff, actions, this.planTarget());
    this.operator?.retain(next.units.map((u) => u.name));
    if (result.network) {
      this.options.logger.warn({ fields: result.network.fields }, 'reload: the network block changed; restart the supervisor to apply it');
    }
    this.options.onPlanApplied?.(next, false);
    this.options.logger.info({ file: target }, 'reload: done');
    return result;
  }

  private planTarget(): PlanTarget {
    return {
      running: () => this.state === 'running',
      stoppedByOperator: (name) => this.units.get(name)?.status().stoppedByOperator ?? false,
      takesLiveProperties: (name) => {
        const unit = this.units.get(name);
        return !!unit && unit.pid !== null && this.watchers.handles(name, unit.currentToken());
      },
      stopUnit: async (name) => {
        await this.units.get(name)?.stop(false);
      },
      commit: (plan, diff, actions) => this.commitPlan(plan, diff, actions),
      deliverProperties: (name, spec) => this.deliverProperties(name, spec.properties),
      startUnit: async (name) => {
        const unit = this.units.get(name);
        if (unit && this.state === 'running') await unit.start(false);
      },
    };
  }

  /** Switch the unit table to `plan` in one synchronous step (see PlanTarget.commit). */
  private commitPlan(plan: Plan, diff: PlanDiff, actions: ReadonlyMap<string, ReloadAction>): void {
    if (this.state !== 'running') throw new StateError(`the supervisor is ${this.state}`);
    const old = new Map(this.units);
    const changes = new Map(diff.units.map((u) => [u.name, u]));
    this.units.clear();
    for (const spec of plan.units) {
      const existing = old.get(spec.name);
      const change = changes.get(spec.name);
      const action = actions.get(spec.name);
      if (existing && (change?.change === 'unchanged' || action === 'update')) {
        if (action === 'update') existing.replaceProperties(spec);
        this.units.set(spec.name, existing);
        continue;
      }
      if (existing) {
        const operatorStopped = existing.status().stoppedByOperator;
        existing.dispose();
        if (change?.fields.includes('logs')) this.logs.close(spec.name);
        const unit = this.addUnitObject(spec);
        if (operatorStopped) void unit.stop(true);
        continue;
      }
      this.addUnitObject(spec);
    }
    for (const [name, unit] of old) {
      if (this.units.has(name)) continue;
      unit.dispose();
      this.logs.close(name);
    }
    // The network block is joined at start only: keep the running one (a later diff still shows the change).
    this.currentPlan = { ...plan, network: this.currentPlan.network };
  }

  private deliverProperties(name: string, properties: Properties): void {
    const unit = this.units.get(name);
    if (!unit) return;
    const delivered = this.watchers.deliver(name, unit.currentToken(), properties, (e) =>
      this.logs.supervisorLine(name, 'warn', `cannot deliver properties: ${e.message}`),
    );
    if (delivered === 0 && unit.pid !== null) {
      // Its watcher went away in the meantime: restart so the process sees the new properties.
      this.logs.supervisorLine(name, 'warn', 'the unit stopped watching its properties; restarting it to apply them');
      // Queued behind the reload that delivers (which holds this unit's queue): never awaited here.
      void this.queue
        .run([name], async () => {
          if (this.units.get(name) !== unit) return;
          await unit.stop(false);
          if (this.state === 'running') await unit.start(false);
        })
        .catch(() => undefined);
    }
  }

  private addUnitObject(spec: UnitSpec): Unit {
    const unit = new Unit(spec, this.host);
    this.units.set(spec.name, unit);
    this.logs.open(spec.name, spec.logs);
    return unit;
  }

  private unit(name: string): Unit {
    const unit = this.units.get(name);
    if (!unit) throw new UnitNotFoundError(name);
    return unit;
  }

  private assertRunning(): void {
    if (this.state === 'stopping' || this.state === 'stopped') throw new StateError(`the supervisor is ${this.state}`);
  }

  private blockedBy(unit: Unit): string | null {
    const waiting: string[] = [];
    for (const dep of unit.spec.dependsOn) {
      const other = this.units.get(dep);
      if (!other) waiting.push(`${dep} (not in the system)`);
      else if (!isUp(other.state)) waiting.push(`${dep} (${other.state})`);
    }
    return waiting.length > 0 ? `waiting for ${waiting.join(', ')}` : null;
  }

  private unitChanged(unit: Unit): void {
    const status = unit.status();
    notifyAll(this.listeners, status, (e) => this.options.logger.warn({ err: (e as Error).message }, 'a unit change listener failed'));
    // Re-check pending units once per turn, not from inside a transition.
    if (!this.recheckQueued && this.state === 'running') {
      this.recheckQueued = true;
      queueMicrotask(() => {
        this.recheckQueued = false;
        if (this.state !== 'running') return;
        for (const u of this.units.values()) u.retryPending();
      });
    }
  }

  /** Record the live groups once per turn of the event loop (a batch start changes them a hundred times). */
  private groupsChanged(): void {
    if (!this.options.onGroupsChanged || this.groupsWrite) return;
    this.groupsWrite = setImmediate(() => {
      this.groupsWrite = null;
      this.options.onGroupsChanged?.(this.liveGroups());
    });
  }

  private liveGroups(): number[] {
    const groups: number[] = [];
    for (const unit of this.units.values()) if (unit.pid !== null) groups.push(unit.pid);
    return groups;
  }

  private async sample(): Promise<void> {
    const health = this.options.health;
    if (!health?.sampler) return;
    const sampler = health.sampler;
    const running: { unit: Unit; pid: number }[] = [];
    for (const unit of this.units.values()) if (unit.pid !== null) running.push({ unit, pid: unit.pid });
    if (running.length === 0) return;
    const pids = running.map((r) => r.pid);
    const samples = sampler.sampleMany
      ? await sampler.sampleMany(pids).catch(() => new Map<number, ResourceSample | null>())
      : new Map(await Promise.all(pids.map(async (pid) => [pid, await sampler.sample(pid).catch(() => null)] as const)));
    for (const { unit, pid } of running) {
      const sample = samples.get(pid) ?? null;
      if (unit.pid !== pid) continue;
      unit.setSample(sample?.cpuPercent ?? null, sample?.memoryBytes ?? null);
      if (sample && unit.status().limits === 'sampling' && health.sampledLimitViolation) {
        const violation = health.sampledLimitViolation(sample, unit.spec.limits);
        if (violation) unit.limitExceeded(violation);
      }
    }
  }
}

/** The diagnostics of a language PlanError (duck-typed: ENS_E_* with a `diagnostics` list), else null. */
function planDiagnostics(e: unknown): Diagnostic[] | null {
  if (!isEnsembleError(e)) return null;
  const list = (e as { diagnostics?: unknown }).diagnostics;
  return Array.isArray(list) ? (list as Diagnostic[]) : null;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

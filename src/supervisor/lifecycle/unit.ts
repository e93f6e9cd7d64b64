import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { UnitSpec } from '../../ensemble/plan.js';
import type { HealthMonitorHandle, HealthServices } from '../health-services.js';
import { checkRealWorkingDirectory, launchCommand, type LaunchCommand, type LaunchOptions } from '../process/launch-command.js';
import type { LogHub } from '../logs/log-hub.js';
import { NotifySocket } from '../process/notify-socket.js';
import type { Reaper } from '../process/reaper.js';
import { RestartPolicy } from './restart-policy.js';
import type { RuntimePaths } from '../../common/runtime-dir.js';
import type { NotifyMessage } from '../process/sd-notify.js';
import { DeadlineTimer } from '../../common/deadline-timer.js';
import { formatMs } from '../../common/duration.js';
import { ReadyTimeoutError } from '../supervisor-errors.js';
import { unitEnvironment } from '../process/unit-environment.js';
import type { UnitCgroup } from '../process/unit-cgroup.js';
import { UnitProcess, type ExitInfo } from '../process/unit-process.js';
import { giveUnitPaths } from '../process/run-as-dirs.js';
import { needsChange, unitCredentials } from '../process/unit-user.js';
import type { HealthResult, LimitsMechanism, UnitState, UnitStatus } from './unit-state.js';
import { canTransition, hasProcess } from './unit-transitions.js';

/** What a {@link Unit} needs from the supervisor that owns it. */
export interface UnitHost {
  readonly paths: RuntimePaths;
  readonly logs: LogHub;
  readonly reaper: Reaper;
  readonly launch: LaunchOptions;
  /** `setpriv` binary for `--pdeathsig`, or null. */
  readonly setpriv: string | null;
  readonly health: HealthServices | null;
  /**
   * The environment units inherit: a copy of the supervisor's, taken once
   * (reading `process.env` costs a call into the runtime per variable).
   */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** Why `unit` cannot start now (a dependency is not up), or null. */
  blockedBy(unit: Unit): string | null;
  /** Called after every state or status change of `unit`. */
  changed(unit: Unit): void;
  /** The set of live process groups changed. */
  groupsChanged(): void;
  /** The registered gRPC address of a unit (for `grpc` probes). */
  address(unit: string): string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** States after which a start or stop request is answered. */
const SETTLED: ReadonlySet<UnitState> = new Set(['pending', 'ready', 'degraded', 'backoff', 'crashloop', 'stopped', 'failed']);

/**
 * One unit and its lifecycle state machine (docs/lifecycle.md).
 *
 * Every state change goes through {@link transition}, which checks it against
 * {@link UNIT_TRANSITIONS}, stamps `since`, logs it (pino and the unit's log)
 * and tells the supervisor. Timers (ready timeout, backoff, reset, watchdog)
 * are single `setTimeout`s: a unit waiting to restart costs nothing.
 */
export class Unit {
  private s: Mutable<UnitStatus>;
  private proc: UnitProcess | null = null;
  private token: string | null = null;
  private notify: NotifySocket | null = null;
  private monitor: HealthMonitorHandle | null = null;
  private readonly policy: RestartPolicy;
  /** Set while a stop was requested: the coming exit ends in `stopped`. */
  private stopRequested = false;
  /** Why the supervisor is killing the current process (ready timeout, unhealthy, watchdog, limit). */
  private failureReason: string | null = null;
  /** The failure is not retried (limits cannot be applied): the unit ends `failed`. */
  private fatal = false;
  /** `error` holds a "waiting for …" reason, not a real error. */
  private errorIsPendingReason = false;
  /** Ready timeout and watchdog are stall-aware deadlines (deadline-timer.ts): a pause of the supervisor kills nobody. */
  private readyTimer: DeadlineTimer | null = null;
  private backoffTimer: NodeJS.Timeout | null = null;
  private resetTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: DeadlineTimer | null = null;
  private watchdogMs: number | null;
  /** When the current process became ready (for the immediate-restart rule), or null. */
  private upSince: number | null = null;
  /** The command line of the current spec, resolved once (no PATH search per restart). */
  private resolved: { readonly spec: UnitSpec; readonly command: LaunchCommand } | null = null;
  /** The working directory already checked against the file view through its real path. */
  private checkedCwd: string | null = null;
  /** The cgroup the current process entered before it executed its program, or null. */
  private cgroup: UnitCgroup | null = null;
  private readonly waiters = new Set<() => void>();
  private disposed = false;

  private currentSpec: UnitSpec;

  constructor(
    spec: UnitSpec,
    private readonly host: UnitHost,
  ) {
    this.currentSpec = spec;
    this.policy = new RestartPolicy(spec.restart);
    this.watchdogMs = spec.watchdogMs;
    this.s = {
      name: spec.name,
      state: 'pending',
      kind: spec.kind,
      pid: null,
      restarts: 0,
      exitCode: null,
      exitSignal: null,
      error: null,
      since: Date.now(),
      cpuPercent: null,
      memoryBytes: null,
      health: 'unknown',
      limits: 'none',
      stoppedByOperator: false,
    };
  }

  /** The unit's spec (the running process was started with it, or with older properties). */
  get spec(): UnitSpec {
    return this.currentSpec;
  }

  get name(): string {
    return this.spec.name;
  }

  /**
   * Live properties (reload): take `spec`, which differs only in `properties`,
   * without touching the running process (it was told the new properties);
   * a later launch passes them in `ENSEMBLE_PROPERTIES`.
   */
  replaceProperties(spec: UnitSpec): void {
    this.currentSpec = { ...this.currentSpec, properties: spec.properties };
    this.host.logs.supervisorLine(this.name, 'info', 'properties updated live (same process)', { event: 'properties', unitPid: this.proc?.pid ?? null });
  }

  get state(): UnitState {
    return this.s.state;
  }

  /** Main pid (= process group id) while a process exists. */
  get pid(): number | null {
    return this.proc?.pid ?? null;
  }

  status(): UnitStatus {
    return { ...this.s };
  }

  /** True when `token` is this unit's current `ENSEMBLE_TOKEN` (the caller compares in constant time). */
  currentToken(): string | null {
    return this.token;
  }

  // ---------------------------------------------------------------- requests

  /**
   * Ask the unit to run. `operator`: an explicit start (CLI, API), which clears
   * the operator stop flag, the restart history and `crashloop`.
   * Resolves when the unit is ready, failed, waiting (backoff, pending) or stopped again.
   * `onBegun` is called once the start took effect (a process is being created, or
   * the unit waits for a dependency), or it had a process already.
   */
  async start(operator: boolean, onBegun?: () => void): Promise<UnitStatus> {
    if (this.disposed) return this.status();
    if (operator) {
      this.s.stoppedByOperator = false;
      this.s.restarts = 0;
      this.policy.clear();
    }
    if (this.s.state === 'stopping') await this.until(() => !hasProcess(this.s.state));
    if (hasProcess(this.s.state)) {
      onBegun?.();
      return this.settled();
    }
    this.clearBackoff();
    this.stopRequested = false;
    this.tryStart();
    onBegun?.();
    return this.settled();
  }

  /**
   * {@link start}, also telling when it took effect: from `begun` on, another
   * operation may act on the unit (a stop then interrupts the wait for readiness).
   */
  startTracked(operator: boolean): { readonly begun: Promise<void>; readonly settled: Promise<UnitStatus> } {
    let markBegun: () => void = () => {};
    const begun = new Promise<void>((resolve) => (markBegun = resolve));
    const settled = this.start(operator, markBegun).finally(markBegun);
    return { begun, settled };
  }

  /**
   * Stop the unit: its stop signal to the whole process group, SIGKILL after
   * the stop timeout; resolves when the group is gone. `operator`: it stays
   * down until started by hand. A shutdown stop leaves `failed` and
   * `crashloop` units as they are (their reason stays visible).
   */
  async stop(operator: boolean): Promise<UnitStatus> {
    if (operator) this.s.stoppedByOperator = true;
    this.stopRequested = true;
    this.clearBackoff();
    this.clearReadiness();
    const state = this.s.state;
    if (state === 'pending' || state === 'backoff' || ((state === 'failed' || state === 'crashloop') && operator)) {
      this.transition('stopped', { pid: null }, 'stopped');
      return this.status();
    }
    if (state === 'starting' && !this.proc) {
      // The process is being created; the start continuation sees stopRequested.
      await this.until(() => !hasProcess(this.s.state));
      return this.status();
    }
    if (this.proc) {
      if (state !== 'stopping') this.transition('stopping', {}, `stopping (${this.spec.stop.signal}, SIGKILL after ${formatMs(this.spec.stop.timeoutMs)})`);
      await this.proc.stop(this.spec.stop.signal, this.spec.stop.timeoutMs);
      await this.until(() => !hasProcess(this.s.state));
    }
    if (operator) this.s.stoppedByOperator = true;
    return this.status();
  }

  /** SIGKILL the process group now (second signal to the supervisor). */
  kill(): void {
    this.stopRequested = true;
    this.clearBackoff();
    void this.proc?.kill();
  }

  /** Readiness from the unit itself (SDK `ready()` or `READY=1`). */
  markReady(): void {
    if (this.s.state === 'starting' && this.proc && this.spec.readiness === 'notify') this.becomeReady('ready (notified)');
  }

  /** Pending units are re-checked by the supervisor when a dependency changes. */
  retryPending(): void {
    if (this.s.state !== 'pending' || this.s.stoppedByOperator || this.stopRequested) return;
    this.tryStart();
  }

  /** Update the resource sample shown in the status (no change event). */
  setSample(cpuPercent: number | null, memoryBytes: number | null): void {
    this.s.cpuPercent = cpuPercent;
    this.s.memoryBytes = memoryBytes;
  }

  /** Kill the unit for a violated limit; it is restarted by its policy. */
  limitExceeded(reason: string): void {
    if (this.proc && (this.s.state === 'ready' || this.s.state === 'degraded' || this.s.state === 'starting')) {
      this.failWith(`limit exceeded: ${reason}`);
    }
  }

  /**
   * Release the notify socket and timers (the unit is removed, replaced by a
   * reload, or the supervisor exits). The caller stopped it first; a process
   * still alive here would live on unseen, so it is killed (and logged as a bug).
   */
  dispose(): void {
    this.disposed = true;
    if (this.proc) {
      this.host.logs.supervisorLine(this.name, 'error', `internal: unit released with its process ${this.proc.pid} alive; killing it`);
      this.stopRequested = true;
      void this.proc.kill();
    }
    this.clearBackoff();
    this.clearReadiness();
    this.notify?.close();
    this.notify = null;
  }

  // ---------------------------------------------------------------- lifecycle

  private tryStart(): void {
    const blocked = this.host.blockedBy(this);
    if (blocked) {
      if (this.s.state !== 'pending' || this.s.error !== blocked) {
        this.errorIsPendingReason = true;
        this.transition('pending', { pid: null, error: blocked }, `pending: ${blocked}`);
      }
      return;
    }
    void this.launch();
  }

  private async launch(): Promise<void> {
    if (this.disposed) return;
    if (this.proc || hasProcess(this.s.state)) {
      // One process per unit: every caller checks this first; refuse rather than start a second one.
      this.host.logs.supervisorLine(this.name, 'error', `internal: refused a second launch (state ${this.s.state})`);
      return;
    }
    const error = this.errorIsPendingReason ? null : this.s.error;
    this.errorIsPendingReason = false;
    this.failureReason = null;
    this.fatal = false;
    this.transition('starting', { pid: null, error, health: 'unknown', cpuPercent: null, memoryBytes: null }, 'starting');
    this.upSince = null;
    let proc: UnitProcess;
    const cached = this.resolved?.spec === this.spec;
    try {
      const fileView = this.host.launch.fileViewDir;
      if (fileView && this.checkedCwd !== this.spec.workingDirectory) {
        await checkRealWorkingDirectory(this.name, this.spec.workingDirectory, fileView);
        this.checkedCwd = this.spec.workingDirectory;
      }
      const command = this.command();
      const runAs = unitCredentials(this.name, this.spec);
      mkdirSync(this.host.paths.unitStateDir(this.name), { recursive: true, mode: 0o700 });
      const notifyPath = this.spec.readiness === 'notify' ? (await this.notifySocket()).path : null;
      if (runAs && needsChange(runAs)) giveUnitPaths(this.name, this.host.paths, runAs, notifyPath);
      this.cgroup = await this.placeCgroup();
      this.token = randomBytes(32).toString('base64url');
      proc = await UnitProcess.start({
        unit: this.name,
        command,
        env: unitEnvironment(this.spec, { paths: this.host.paths, token: this.token, notifySocket: notifyPath, base: this.host.baseEnv }),
        stopSignal: this.spec.stop.signal,
        stopTimeoutMs: this.spec.stop.timeoutMs,
        setpriv: this.host.setpriv,
        cgroup: this.cgroup,
        runAs,
        onRemaining: (info, pids) => this.remainingAfterExit(info, pids),
        onLine: (stream, line) => this.host.logs.unitLine(this.name, stream, line),
      });
    } catch (e) {
      this.token = null;
      this.resolved = null;
      if (this.cgroup) {
        // Made for a process that never started: give it back.
        this.cgroup = null;
        void this.host.health?.limits?.release(this.name).catch(() => {});
      }
      let error = e as Error;
      if (cached) {
        // The program or directory resolved at an earlier start may be gone: say so plainly.
        try {
          launchCommand(this.spec, this.host.launch);
        } catch (fresh) {
          error = fresh as Error;
        }
      }
      this.transition('failed', { pid: null, error: error.message }, `cannot start: ${error.message}`, 'error');
      return;
    }
    this.proc = proc;
    this.host.reaper.track(proc.pid);
    this.host.groupsChanged();
    void proc.exited.then((info) => this.onExit(proc, info));
    this.update({ pid: proc.pid }, `started, pid ${proc.pid}`);
    if (this.stopRequested) {
      this.transition('stopping', {}, 'stopping (stop requested while starting)');
      void proc.stop(this.spec.stop.signal, this.spec.stop.timeoutMs);
      return;
    }
    await this.applyLimits(proc);
    if (this.proc !== proc || this.s.state !== 'starting') return;
    this.startHealth(proc);
    switch (this.spec.readiness) {
      case 'started':
        this.becomeReady('ready (started)');
        break;
      case 'notify':
      case 'health':
        this.armReadyTimer(this.spec.readyTimeoutMs);
        if (this.spec.readiness === 'health' && !this.monitor) {
          this.failFatal('readiness "health" needs a health probe, and none is available');
        }
        break;
    }
  }

  private onExit(proc: UnitProcess, info: ExitInfo): void {
    this.host.reaper.untrack(proc.pid);
    if (this.proc !== proc) return;
    this.proc = null;
    this.token = null;
    this.host.groupsChanged();
    this.clearReadiness();
    this.cgroup = null;
    void this.host.health?.limits?.release(this.name).catch(() => {});
    const exit = { pid: null, exitCode: info.code, exitSignal: info.signal, health: 'unknown' as HealthResult, cpuPercent: null, memoryBytes: null };
    const how = describeExit(info);
    if (this.stopRequested) {
      this.transition('stopped', exit, `stopped (${how})`);
      return;
    }
    if (this.fatal) {
      this.transition('failed', { ...exit, error: this.failureReason }, `failed: ${this.failureReason ?? how}`, 'error');
      return;
    }
    const failure = this.failureReason !== null || info.code !== 0 || info.signal !== null;
    const error = this.failureReason ?? (failure ? how : this.s.error);
    this.failureReason = null;
    const now = Date.now();
    const upMs = this.upSince === null ? 0 : now - this.upSince;
    this.upSince = null;
    const decision = this.policy.decide(failure, now, upMs);
    switch (decision.action) {
      case 'stop':
        this.transition('stopped', { ...exit, error }, `${how}; not restarted (restart policy ${this.spec.restart.policy})`, failure ? 'warn' : 'info');
        return;
      case 'crashloop':
        this.transition(
          'crashloop',
          { ...exit, error: `${error}; crash loop: ${decision.restarts} restarts within ${formatMs(decision.windowMs)}, kept down until started by hand` },
          `${how}; crash loop (${decision.restarts} restarts within ${formatMs(decision.windowMs)}), kept down until started by hand`,
          'error',
        );
        return;
      case 'restart':
        if (decision.delayMs === 0) {
          // Up long enough: not a crash loop, so no backoff (docs/lifecycle.md "Restarts").
          this.transition('backoff', { ...exit, error }, `${how} after ${formatMs(upMs)} up; restarting now`, failure ? 'warn' : 'info');
          if (this.s.state !== 'backoff' || this.disposed) return;
          this.s.restarts++;
          void this.launch();
          return;
        }
        this.transition('backoff', { ...exit, error }, `${how}; restarting in ${formatMs(decision.delayMs)}`, failure ? 'warn' : 'info');
        this.backoffTimer = setTimeout(() => {
          this.backoffTimer = null;
          if (this.s.state !== 'backoff' || this.disposed) return;
          this.s.restarts++;
          void this.launch();
        }, decision.delayMs);
        return;
    }
  }

  private becomeReady(message: string): void {
    this.clearTimer('readyTimer');
    this.upSince = Date.now();
    this.transition('ready', {}, message);
    this.resetTimer = setTimeout(() => {
      this.resetTimer = null;
      this.policy.resetBackoff();
    }, this.spec.restart.resetAfterMs);
    this.armWatchdog();
  }

  /** Kill the current process because of `reason`; the restart policy decides what follows. */
  private failWith(reason: string): void {
    if (!this.proc || this.s.state === 'stopping') return;
    this.failureReason = reason;
    this.clearReadiness();
    this.transition('stopping', { error: reason }, `${reason}; stopping`, 'warn');
    void this.proc.stop(this.spec.stop.signal, this.spec.stop.timeoutMs);
  }

  /** Like {@link failWith}, but the unit ends `failed` and is not restarted. */
  private failFatal(reason: string): void {
    this.fatal = true;
    this.failWith(reason);
  }

  // ---------------------------------------------------------------- readiness, health, limits

  private armReadyTimer(ms: number): void {
    this.clearTimer('readyTimer');
    this.readyTimer = DeadlineTimer.after(ms, () => {
      this.readyTimer = null;
      if (this.s.state === 'starting') this.failWith(new ReadyTimeoutError(this.name, ms).message);
    });
  }

  private armWatchdog(): void {
    this.clearTimer('watchdogTimer');
    const ms = this.watchdogMs;
    if (ms === null || this.spec.readiness !== 'notify') return;
    this.watchdogTimer = DeadlineTimer.after(ms, () => {
      this.watchdogTimer = null;
      this.failWith(`watchdog timeout: no WATCHDOG=1 within ${formatMs(ms)}`);
    });
  }

  /** The command line of the current spec (resolved once per spec; a failed start resolves it again). */
  private command(): LaunchCommand {
    if (this.resolved?.spec !== this.spec) this.resolved = { spec: this.spec, command: launchCommand(this.spec, this.host.launch) };
    return this.resolved.command;
  }

  private async notifySocket(): Promise<NotifySocket> {
    if (!this.notify) {
      mkdirSync(this.host.paths.notifyDir, { recursive: true, mode: 0o700 });
      this.notify = await NotifySocket.bind(join(this.host.paths.notifyDir, `${this.name}.sock`), (m) => this.onNotify(m));
    }
    return this.notify;
  }

  private onNotify(message: NotifyMessage): void {
    if (!this.proc) return;
    if (message.status !== null) this.host.logs.supervisorLine(this.name, 'info', `status: ${message.status}`, { notify: 'STATUS' });
    if (message.errno !== null) this.host.logs.supervisorLine(this.name, 'warn', `reported errno ${message.errno}`, { notify: 'ERRNO' });
    if (message.watchdogMs !== null) {
      this.watchdogMs = message.watchdogMs;
      if (this.s.state === 'ready' || this.s.state === 'degraded') this.armWatchdog();
    }
    if (message.extendTimeoutMs !== null && this.s.state === 'starting') this.armReadyTimer(message.extendTimeoutMs);
    if (message.ready) this.markReady();
    if (message.watchdog && this.watchdogTimer) this.watchdogTimer.refresh();
    if (message.watchdogTrigger) this.failWith('watchdog triggered by the unit (WATCHDOG=trigger)');
    if (message.stopping) this.host.logs.supervisorLine(this.name, 'info', 'unit reports it is stopping', { notify: 'STOPPING' });
  }

  private startHealth(proc: UnitProcess): void {
    const health = this.host.health;
    const spec = this.spec.health;
    if (!health || !spec) return;
    const probe = health.createProbe(spec, {
      unit: this.name,
      cwd: this.spec.workingDirectory,
      env: { ...this.spec.env, ENSEMBLE_UNIT: this.name },
      withheldEnv: this.spec.withheldEnv ?? [],
      address: () => this.host.address(this.name),
    });
    let lastDetail = '';
    const current = (): boolean => this.proc === proc && this.monitor === monitor;
    const monitor = health.createMonitor(spec, probe, {
      onResult: (result) => {
        if (!current()) return;
        lastDetail = result.detail;
        const healthNow: HealthResult = result.ok ? 'passing' : 'failing';
        if (!result.ok && this.s.state === 'ready') {
          this.transition('degraded', { health: healthNow, error: `health probe ${probe.description} failing: ${result.detail}` }, `degraded: ${probe.description} failing: ${result.detail}`, 'warn');
        } else if (this.s.health !== healthNow) {
          this.update({ health: healthNow });
        }
      },
      onHealthy: () => {
        if (!current()) return;
        if (this.s.state === 'starting' && this.spec.readiness === 'health') this.becomeReady(`ready (${probe.description} passing)`);
        else if (this.s.state === 'degraded') this.transition('ready', { health: 'passing' }, `healthy again (${probe.description})`);
      },
      onUnhealthy: () => {
        if (!current()) return;
        this.failWith(`unhealthy: ${probe.description} failed ${spec.failures} times${lastDetail ? ` (${lastDetail})` : ''}`);
      },
    });
    this.monitor = monitor;
    monitor.start();
  }

  /**
   * The unit's own cgroup with its limits, made before the spawn (null where
   * no cgroup can be written). The reaper learns the directory holding it
   * first, so a supervisor killed at any moment after leaves nothing behind.
   */
  private async placeCgroup(): Promise<UnitCgroup | null> {
    const enforcer = this.host.health?.limits;
    if (!enforcer?.place) return null;
    for (const dir of enforcer.instanceDirs?.() ?? []) this.host.reaper.trackCgroupParent(dir);
    return enforcer.place(this.name, this.spec.limits);
  }

  /**
   * The main process exited on its own and processes of the unit remain (a
   * daemon that detached, children): the unit is `stopping` while they get
   * the stop signal, and `ps` says why (`main exited with code 0, 1 process
   * remains`). The exit is then handled as usual (restart policy).
   */
  private remainingAfterExit(info: ExitInfo, pids: number[]): void {
    if (this.stopRequested) return;
    const shown = pids.length > 10 ? `${pids.slice(0, 10).join(', ')}, …` : pids.join(', ');
    const count = `${pids.length} process${pids.length === 1 ? ' remains' : 'es remain'}`;
    const message = `main process ${describeExit(info)}; ${count} of the unit${pids.length === 0 ? '' : ` (pid ${shown})`}: ${this.spec.stop.signal}, SIGKILL after ${formatMs(this.spec.stop.timeoutMs)}`;
    // The error is short enough for the ERROR column of `ps`; the log line has the pids and what is done.
    const patch = { pid: null, error: `main ${describeExit(info)}, ${count}` };
    if (this.s.state === 'stopping') this.update(patch);
    else this.transition('stopping', patch, message, 'warn');
    this.host.logs.supervisorLine(this.name, 'warn', message, { event: 'remaining', remaining: pids.length });
  }

  private async applyLimits(proc: UnitProcess): Promise<void> {
    const limits = this.spec.limits;
    const enforcer = this.host.health?.limits;
    const wanted = limits.memoryBytes !== undefined || limits.cpuPercent !== undefined || limits.pids !== undefined;
    if ((!wanted && this.cgroup === null) || !enforcer) return;
    try {
      const mechanism: LimitsMechanism = await enforcer.apply(this.name, proc.pid, limits);
      if (this.proc === proc && wanted) this.update({ limits: mechanism }, `limits applied (${mechanism})`);
    } catch (e) {
      if (this.proc === proc) this.failFatal(`cannot apply limits: ${(e as Error).message}`);
    }
  }

  // ---------------------------------------------------------------- state bookkeeping

  /** The one place where the state changes. */
  private transition(to: UnitState, patch: Partial<Mutable<UnitStatus>>, message: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    const from = this.s.state;
    if (!canTransition(from, to)) {
      this.host.logs.supervisorLine(this.name, 'error', `internal: refused state change ${from} → ${to}`);
      return;
    }
    if (to !== 'pending') this.errorIsPendingReason = false;
    Object.assign(this.s, patch);
    if (from !== to) this.s.since = Date.now();
    this.s.state = to;
    this.host.logs.supervisorLine(this.name, level, message, { event: 'state', from, state: to, unitPid: this.proc?.pid ?? this.s.pid });
    this.changed();
  }

  /** A status change without a state change. */
  private update(patch: Partial<Mutable<UnitStatus>>, message?: string): void {
    Object.assign(this.s, patch);
    if (message) this.host.logs.supervisorLine(this.name, 'info', message, { event: 'update', state: this.s.state, unitPid: this.s.pid });
    this.changed();
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
    this.host.changed(this);
  }

  private until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
    });
  }

  private async settled(): Promise<UnitStatus> {
    await this.until(() => SETTLED.has(this.s.state));
    return this.status();
  }

  private clearReadiness(): void {
    this.clearTimer('readyTimer');
    this.clearTimer('resetTimer');
    this.clearTimer('watchdogTimer');
    this.monitor?.stop();
    this.monitor = null;
  }

  private clearBackoff(): void {
    this.clearTimer('backoffTimer');
  }

  private clearTimer(name: 'readyTimer' | 'backoffTimer' | 'resetTimer' | 'watchdogTimer'): void {
    const timer = this[name];
    if (timer instanceof DeadlineTimer) timer.clear();
    else if (timer) clearTimeout(timer);
    this[name] = null;
  }
}

/** `exited with code 1`, `killed by SIGKILL`, `killed: memory limit 50 MiB (OOM)`. */
export function describeExit(info: ExitInfo): string {
  if (info.reason) return `killed: ${info.reason}`;
  if (info.signal) return `killed by ${info.signal}`;
  return `exited with code ${info.code ?? '?'}`;
}

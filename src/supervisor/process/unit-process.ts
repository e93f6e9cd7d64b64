import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { DeadlineTimer } from '../../common/deadline-timer.js';
import type { LaunchCommand } from './launch-command.js';
import { LineSplitter } from '../logs/line-splitter.js';
import { groupMembers, signalGroup } from './process-group.js';
import { SpawnError } from '../supervisor-errors.js';
import { cgroupMembers, enterCgroupCommand, oomKillCount, signalCgroup, type UnitCgroup } from './unit-cgroup.js';
import type { UnitCredentials } from '../../common/user-database.js';
import { setprivCredentialArgs } from './unit-user.js';

/** How a unit's main process ended. */
export interface ExitInfo {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why the kernel killed it, when known: `memory limit 50 MiB (OOM)`. */
  readonly reason?: string;
}

/** Everything needed to start one unit process. */
export interface UnitProcessOptions {
  readonly unit: string;
  readonly command: LaunchCommand;
  readonly env: NodeJS.ProcessEnv;
  /** Sent to the group when the main process exits while others of its group still run. */
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs: number;
  /** Called for every captured output line. */
  readonly onLine: (stream: 'stdout' | 'stderr', line: string) => void;
  /**
   * A `setpriv` binary: the unit is started as `setpriv --pdeathsig SIGKILL -- PROGRAM …`
   * so the kernel kills it when the supervisor dies. Null: started directly.
   */
  readonly setpriv: string | null;
  /**
   * The unit's own cgroup, created (with its limits) before the spawn: the
   * process enters it before it executes the program, and stop, kill and the
   * end of the unit cover every process in it, not only the process group.
   */
  readonly cgroup?: UnitCgroup | null;
  /**
   * Who the unit runs as (`user`, `group`, `groups`), or null: the supervisor's
   * user. `setpriv` switches after the cgroup was entered (which needs the
   * supervisor's privileges), before the program runs.
   */
  readonly runAs?: UnitCredentials | null;
  /**
   * Called when the main process exited on its own while other processes of
   * the unit (its group or cgroup) remain; they get the stop signal, SIGKILL
   * after the stop timeout.
   */
  readonly onRemaining?: (info: ExitInfo, pids: number[]) => void;
  readonly maxLineBytes?: number;
}

/**
 * One running unit process, its process group and its cgroup.
 *
 * The process is started detached (`setsid`), so its pid is also the id of a
 * new process group and session holding everything it forks. With a cgroup
 * it enters the cgroup before it executes the program, so descendants that
 * leave the group (a new session, a double fork) are still the unit's.
 * Stopping sends the stop signal to the whole group and every process of the
 * cgroup, SIGKILL after the timeout; when the main process exits on its own,
 * what is left gets the stop signal (SIGKILL after the timeout) too, as with
 * systemd's `KillMode=control-group`. {@link exited} resolves only once the
 * group and the cgroup are empty and the output is flushed, so a restart
 * never races a leftover process holding a port.
 */
export class UnitProcess {
  /** Main process id, also the process group id. */
  readonly pid: number;
  /** Resolves when the main process exited, the group is gone and every output line was delivered. */
  readonly exited: Promise<ExitInfo>;
  private stopRequested = false;
  private mainExited = false;
  /** The stop timeout, stall-aware (deadline-timer.ts): an exit that arrived while the supervisor was paused is seen first. */
  private killTimer: DeadlineTimer | null = null;
  /** SIGKILL was sent: every later check of the teardown sends it again to what is left. */
  private killSent = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: UnitProcessOptions,
  ) {
    this.pid = child.pid as number;
    const streamsClosed = Promise.all([
      capture(child.stdout, (line) => options.onLine('stdout', line), options.maxLineBytes),
      capture(child.stderr, (line) => options.onLine('stderr', line), options.maxLineBytes),
    ]);
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.mainExited = true;
        void this.afterExit({ code, signal }, streamsClosed).then(resolve);
      });
    });
  }

  /** Spawn the unit; rejects with {@link SpawnError} when the OS refuses. */
  static start(options: UnitProcessOptions): Promise<UnitProcess> {
    const { command, setpriv } = options;
    const credentials = setprivCredentialArgs(options.runAs ?? null);
    if (credentials.length > 0 && !setpriv) {
      return Promise.reject(new SpawnError(options.unit, `running as ${options.runAs?.description ?? 'another user'} needs setpriv (util-linux), which is not installed`));
    }
    let file = setpriv ?? command.file;
    let args = setpriv ? ['--pdeathsig', 'SIGKILL', ...credentials, '--', command.file, ...command.args] : [...command.args];
    if (options.cgroup) ({ file, args } = enterCgroupCommand(options.cgroup, file, args));
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(file, args, { cwd: command.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        reject(new SpawnError(options.unit, `cannot start ${command.file}: ${(e as Error).message}`, e));
        return;
      }
      child.on('error', (e) => {
        if (child.pid === undefined) reject(new SpawnError(options.unit, `cannot start ${command.file}: ${e.message}`, e));
      });
      child.once('spawn', () => resolve(new UnitProcess(child, options)));
    });
  }

  /** True until the main process exited. */
  get running(): boolean {
    return !this.mainExited;
  }

  /**
   * Graceful stop: `signal` to the whole group and cgroup, SIGKILL after `timeoutMs`.
   * Resolves when both are empty. Calling it again only returns the same promise.
   */
  stop(signal: NodeJS.Signals = this.options.stopSignal, timeoutMs: number = this.options.stopTimeoutMs): Promise<ExitInfo> {
    if (!this.stopRequested) {
      this.stopRequested = true;
      this.signalAll(signal);
      this.armKill(timeoutMs);
    }
    return this.exited;
  }

  /** SIGKILL the whole group and cgroup now. */
  kill(): Promise<ExitInfo> {
    this.stopRequested = true;
    this.signalAll('SIGKILL');
    return this.exited;
  }

  /** Send a signal to the whole group and cgroup (no stop bookkeeping). */
  signal(signal: NodeJS.Signals): void {
    this.signalAll(signal);
  }

  /**
   * Live processes of the unit (the main process included while it runs):
   * the cgroup's, else the process group's.
   */
  remaining(): number[] {
    const inCgroup = this.options.cgroup ? cgroupMembers(this.options.cgroup) : [];
    if (inCgroup.length > 0 || !signalGroup(this.pid, 0)) return inCgroup;
    return groupMembers(this.pid);
  }

  /** Resolve once the group and the cgroup have no live process (a short, growing interval; only during teardown). */
  private waitAllGone(): Promise<void> {
    return new Promise((resolve) => {
      let interval = 10;
      const check = (): void => {
        if (this.remaining().length === 0) return resolve();
        // A process forked between the listing and the kill (cgroup v1 has no atomic kill) gets it now.
        if (this.killSent) this.signalAll('SIGKILL');
        interval = Math.min(interval * 2, 200);
        setTimeout(check, interval);
      };
      check();
    });
  }

  private signalAll(signal: NodeJS.Signals): void {
    if (signal === 'SIGKILL') this.killSent = true;
    signalGroup(this.pid, signal);
    if (this.options.cgroup) signalCgroup(this.options.cgroup, signal);
  }

  private armKill(timeoutMs: number): void {
    if (this.killTimer) return;
    this.killTimer = DeadlineTimer.after(timeoutMs, () => this.signalAll('SIGKILL'));
  }

  private async afterExit(exit: ExitInfo, streamsClosed: Promise<unknown>): Promise<ExitInfo> {
    let info = exit;
    const cgroup = this.options.cgroup;
    // A SIGKILL the supervisor did not send, in a cgroup whose memory limit the kernel enforced with a kill: the limit.
    if (cgroup && info.signal === 'SIGKILL' && !this.killSent && cgroup.oomReason !== null && oomKillCount(cgroup) > 0) info = { ...info, reason: cgroup.oomReason };
    if (!this.stopRequested) {
      const left = this.remaining();
      if (left.length > 0) {
        // The main process is gone; the rest of the unit must not outlive it.
        this.options.onRemaining?.(info, left);
        this.signalAll(this.options.stopSignal);
        this.armKill(this.options.stopTimeoutMs);
      }
    }
    await this.waitAllGone();
    this.killTimer?.clear();
    // Every writer of the pipes is gone unless a process escaped the group
    // (setsid); do not wait for such a process forever.
    let timer: DeadlineTimer | undefined;
    const closed = await Promise.race([
      streamsClosed.then(() => true),
      new Promise<boolean>((r) => (timer = DeadlineTimer.after(1000, () => r(false)))),
    ]);
    timer?.clear();
    if (!closed) {
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }
    return info;
  }
}

/** Read `stream` line by line; resolves when it closed (after flushing a partial last line). */
function capture(stream: Readable | null, onLine: (line: string) => void, maxLineBytes?: number): Promise<void> {
  if (!stream) return Promise.resolve();
  const splitter = new LineSplitter(onLine, maxLineBytes);
  stream.on('data', (chunk: Buffer) => splitter.push(chunk));
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      splitter.end();
      resolve();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
}

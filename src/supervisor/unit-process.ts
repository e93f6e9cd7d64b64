import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { LaunchCommand } from './launch-command.js';
import { LineSplitter } from './line-splitter.js';
import { signalGroup, waitGroupGone } from './process-group.js';
import { SpawnError } from './supervisor-errors.js';

/** How a unit's main process ended. */
export interface ExitInfo {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
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
  readonly maxLineBytes?: number;
}

/**
 * One running unit process and its process group.
 *
 * The process is started detached (`setsid`), so its pid is also the id of a
 * new process group and session holding everything it forks. Stopping sends
 * the stop signal to the whole group and SIGKILL after the timeout; when the
 * main process exits on its own, what is left of the group gets the stop
 * signal (SIGKILL after the timeout) too, as with systemd's
 * `KillMode=control-group`. {@link exited} resolves only once the whole group
 * is gone and the output is flushed, so a restart never races a leftover
 * process holding a port.
 */
export class UnitProcess {
  /** Main process id, also the process group id. */
  readonly pid: number;
  /** Resolves when the main process exited, the group is gone and every output line was delivered. */
  readonly exited: Promise<ExitInfo>;
  private stopRequested = false;
  private mainExited = false;
  private killTimer: NodeJS.Timeout | null = null;

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
    const file = setpriv ?? command.file;
    const args = setpriv ? ['--pdeathsig', 'SIGKILL', '--', command.file, ...command.args] : [...command.args];
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
   * Graceful stop: `signal` to the whole group, SIGKILL after `timeoutMs`.
   * Resolves when the group is gone. Calling it again only returns the same promise.
   */
  stop(signal: NodeJS.Signals = this.options.stopSignal, timeoutMs: number = this.options.stopTimeoutMs): Promise<ExitInfo> {
    if (!this.stopRequested) {
      this.stopRequested = true;
      signalGroup(this.pid, signal);
      this.armKill(timeoutMs);
    }
    return this.exited;
  }

  /** SIGKILL the whole group now. */
  kill(): Promise<ExitInfo> {
    this.stopRequested = true;
    signalGroup(this.pid, 'SIGKILL');
    return this.exited;
  }

  /** Send a signal to the whole group (no stop bookkeeping). */
  signal(signal: NodeJS.Signals): void {
    signalGroup(this.pid, signal);
  }

  private armKill(timeoutMs: number): void {
    if (this.killTimer) return;
    this.killTimer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), timeoutMs);
  }

  private async afterExit(info: ExitInfo, streamsClosed: Promise<unknown>): Promise<ExitInfo> {
    if (!this.stopRequested && signalGroup(this.pid, 0)) {
      // The main process is gone; the rest of its group must not outlive it.
      signalGroup(this.pid, this.options.stopSignal);
      this.armKill(this.options.stopTimeoutMs);
    }
    await waitGroupGone(this.pid);
    if (this.killTimer) clearTimeout(this.killTimer);
    // Every writer of the pipes is gone unless a process escaped the group
    // (setsid); do not wait for such a process forever.
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      streamsClosed.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 1000))),
    ]);
    clearTimeout(timer);
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

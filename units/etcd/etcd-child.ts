import { spawn, type ChildProcess } from 'node:child_process';
import { findExecutable } from '../../src/sdk/host.js';

/** How the etcd process ended. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The etcd process, a child of the unit process. Its stdout and stderr are
 * the unit's own (inherited), so the supervisor captures its log lines. When
 * util-linux's `setpriv` is installed the child is started through
 * `setpriv --pdeathsig SIGKILL`, so it dies with the unit process even when
 * that is SIGKILLed (the supervisor's process group and cgroup cleanup are
 * the second line).
 */
export class EtcdChild {
  /** Settles when the process ended. */
  readonly exited: Promise<ChildExit>;
  private readonly proc: ChildProcess;
  private ended: ChildExit | null = null;

  private constructor(proc: ChildProcess) {
    this.proc = proc;
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.ended = { code, signal };
        resolve(this.ended);
      });
    });
  }

  /** Start `file args…` with `env`. Rejects with a one-line message when it cannot be started. */
  static start(file: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<EtcdChild> {
    const setpriv = findExecutable('setpriv', { cwd: '/', pathEnv: process.env.PATH ?? '/usr/bin:/bin' });
    const [command, argv] = setpriv.found ? [setpriv.file, ['--pdeathsig', 'SIGKILL', '--', file, ...args]] : [file, [...args]];
    const proc = spawn(command, argv, { env, cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    return new Promise((resolve, reject) => {
      proc.once('error', (e) => reject(new Error(`cannot start ${file}: ${e.message}`)));
      proc.once('spawn', () => resolve(new EtcdChild(proc)));
    });
  }

  /** The process id (of etcd itself: setpriv execs it). */
  get pid(): number {
    return this.proc.pid ?? 0;
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return this.ended === null;
  }

  /**
   * SIGTERM, then SIGKILL when it has not ended after `timeoutMs`. Resolves
   * with how it ended and whether it had to be killed.
   */
  async stop(timeoutMs: number): Promise<ChildExit & { killed: boolean }> {
    if (this.ended !== null) return { ...this.ended, killed: false };
    this.proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
    const first = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return { ...first, killed: false };
    this.proc.kill('SIGKILL');
    return { ...(await this.exited), killed: true };
  }

  /** SIGKILL at once, without waiting (for the unit's own exit paths). */
  kill(): void {
    if (this.ended === null) this.proc.kill('SIGKILL');
  }
}

/** `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(exit: ChildExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
}

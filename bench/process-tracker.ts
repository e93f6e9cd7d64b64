import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { cmdline, cwdPath, exePath, isAlive, listPids, readProc } from './proc.js';

/** A process the harness found alive after it should have been gone. */
export interface Leftover {
  readonly pid: number;
  readonly comm: string;
  /** Kernel state letter when found (D = uninterruptible sleep, cannot be killed until it wakes). */
  readonly state: string;
  readonly cmdline: string;
}

/**
 * Remembers every process the harness starts and finds the ones a peer left
 * behind. Every child is spawned in its own process group; processes are killed
 * by pid (or by the group of a child the harness itself spawned), never by name.
 */
export class ProcessTracker {
  readonly #spawned = new Set<number>();
  /** Survivors already reported (e.g. stuck in D state): not reported again. */
  readonly #reported = new Set<number>();
  readonly #root: string;
  readonly #unitBin: string;

  /**
   * @param root the run's temporary directory: a process whose working
   *   directory or command line lies under it belongs to the run.
   * @param unitBin the unit program; every process running it belongs to the run.
   */
  constructor(root: string, unitBin: string) {
    this.#root = root;
    this.#unitBin = unitBin;
  }

  /** Spawn a tracked child in a new process group. */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { ...options, detached: true });
    const pid = child.pid;
    if (pid !== undefined) {
      this.#spawned.add(pid);
      // Forget it once reaped: its pid may be reused by an unrelated process.
      child.on('exit', () => this.#spawned.delete(pid));
    }
    return child;
  }

  /** Live processes that belong to this run (units, peer daemons, their helpers). */
  survivors(): Leftover[] {
    const self = process.pid;
    const out: Leftover[] = [];
    for (const pid of listPids()) {
      if (pid === self || this.#reported.has(pid)) continue;
      const entry = readProc(pid);
      if (!entry || entry.state === 'Z' || entry.state === 'X') continue;
      const line = cmdline(pid);
      const mine =
        this.#spawned.has(pid) ||
        exePath(pid) === this.#unitBin ||
        line.includes(this.#root) ||
        (cwdPath(pid) ?? '').startsWith(this.#root);
      if (mine) out.push({ pid, comm: entry.comm, state: entry.state, cmdline: line });
    }
    return out;
  }

  /**
   * SIGKILL every survivor not reported before by pid and wait (up to 5 s) until
   * they are gone; returns them (a process in uninterruptible sleep may outlive this).
   */
  async killSurvivors(): Promise<Leftover[]> {
    const found = this.survivors();
    for (const p of found) this.#reported.add(p.pid);
    for (const p of found) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 5000;
    while (found.some((p) => isAlive(p.pid)) && Date.now() < deadline) await sleep(20);
    return found;
  }
}

/** A peer left processes behind after its own shutdown (the harness killed them by pid). */
export class LeftoverError extends Error {
  readonly leftovers: readonly Leftover[];

  constructor(peer: string, leftovers: readonly Leftover[]) {
    super(
      `${peer} left ${leftovers.length} process(es) behind (killed by pid): ` +
        leftovers.slice(0, 10).map((p) => `${p.pid} ${p.comm} (${p.cmdline.slice(0, 80)}, state ${p.state})`).join(', '),
    );
    this.name = 'LeftoverError';
    this.leftovers = leftovers;
  }
}

/** Resolve after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `condition` every `intervalMs` until it holds; throw after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

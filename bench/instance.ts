import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Peer, RunningPeer, UnitDef } from './peers/peer.js';
import { exePath, isAlive, processTree, type ProcEntry } from './proc.js';
import { LeftoverError, sleep, type ProcessTracker } from './process-tracker.js';
import { StartLog } from './start-log.js';

/** What every peer instance of one harness run shares. */
export interface BenchContext {
  readonly repoRoot: string;
  /** The run's temporary directory (everything the run writes lives under it). */
  readonly root: string;
  /** The compiled unit program (`ensbench-unit`). */
  readonly unitBin: string;
  readonly tracker: ProcessTracker;
}

/** How the units of an instance behave. */
export interface InstanceSpec {
  readonly units: number;
  /** Every unit exits with status 1 at once. */
  readonly crash?: boolean;
  /** A health probe on every unit (Ensemble only). */
  readonly probes?: boolean;
}

let counter = 0;

/** The unit names u001, u002, … */
export function unitNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `u${String(i + 1).padStart(3, '0')}`);
}

/**
 * One supervisor (peer or Ensemble) started with N units in a fresh directory,
 * with the helpers the workloads need: start times from the start log, the
 * supervisor's own processes, and a checked shutdown.
 */
export class Instance {
  readonly peer: Peer;
  readonly names: readonly string[];
  readonly log: StartLog;
  /** process.hrtime.bigint() just before the start command was spawned. */
  readonly t0: bigint;
  readonly running: RunningPeer;
  readonly #ctx: BenchContext;

  private constructor(peer: Peer, names: string[], log: StartLog, t0: bigint, running: RunningPeer, ctx: BenchContext) {
    this.peer = peer;
    this.names = names;
    this.log = log;
    this.t0 = t0;
    this.running = running;
    this.#ctx = ctx;
  }

  /** Start `peer` with the units of `spec`. */
  static start(peer: Peer, spec: InstanceSpec, ctx: BenchContext): Instance {
    counter += 1;
    const dir = join(ctx.root, `${String(counter).padStart(3, '0')}-${peer.name}`);
    mkdirSync(dir, { recursive: true });
    const log = new StartLog(join(dir, 'starts.log'));
    const names = unitNames(spec.units);
    const units: UnitDef[] = names.map((name) => ({
      name,
      command: ctx.unitBin,
      args: spec.crash ? [name, log.path, 'crash'] : [name, log.path],
    }));
    const launch = peer.prepare({ units, probes: spec.probes }, { repoRoot: ctx.repoRoot, dir, tracker: ctx.tracker });
    const t0 = process.hrtime.bigint();
    const running = launch();
    return new Instance(peer, names, log, t0, running, ctx);
  }

  /** Throw when the supervisor is gone on its own (with its last words). */
  assertUp(): void {
    const reason = this.running.exitReason();
    if (reason !== undefined) throw new Error(reason);
  }

  /**
   * Wait until every unit has started and is alive; resolves with the time
   * (hrtime ns) of the last unit's start.
   */
  async waitAllRunning(timeoutMs: number): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const latest = this.log.latest();
      if (latest.size === this.names.length) {
        const pids = [...latest.values()];
        if (pids.every((s) => isAlive(s.pid))) return pids.reduce((max, s) => (s.atNs > max ? s.atNs : max), 0n);
      }
      this.assertUp();
      if (Date.now() > deadline) throw new Error(`${this.peer.name}: ${latest.size}/${this.names.length} units running after ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  /** The live unit processes (their latest starts whose pid is alive). */
  aliveUnitPids(): number[] {
    return [...this.log.latest().values()].map((s) => s.pid).filter(isAlive);
  }

  /** The supervisor's own live processes: its tree without the units. */
  supervisorProcesses(): ProcEntry[] {
    return processTree(this.running.supervisorRoots()).filter((p) => exePath(p.pid) !== this.#ctx.unitBin);
  }

  /** Stop and clean up; throws when a process of this instance is still alive afterwards. */
  async shutdown(): Promise<void> {
    await this.running.cleanup();
    const everStarted = this.log.read().map((s) => s.pid);
    const deadline = Date.now() + 5000;
    while (everStarted.some(isAlive) && Date.now() < deadline) await sleep(20);
    // Helpers that exit on their own right after the supervisor (e.g. a reaper
    // reading EOF) are not leaks: give them a moment before looking.
    const grace = Date.now() + 3000;
    while (this.#ctx.tracker.survivors().length > 0 && Date.now() < grace) await sleep(50);
    const leftovers = await this.#ctx.tracker.killSurvivors();
    if (leftovers.length > 0) throw new LeftoverError(this.peer.name, leftovers);
  }
}

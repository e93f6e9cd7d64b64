import { CLOCK_TICKS_PER_SECOND, processTree, readProcessTable } from './process-table.js';
import type { ProcessTable } from './process-table.js';
import type { ResourceSample } from '../supervisor/health-services.js';

/** Options of a {@link ResourceSampler}. */
export interface ResourceSamplerOptions {
  /** Where procfs is mounted (default `/proc`). */
  readonly procRoot?: string;
  /**
   * Time constant of the exponential moving average of CPU use (default
   * 5000 ms): a step change shows ~63% after this long, whatever the sampling
   * rate.
   */
  readonly smoothingMs?: number;
}

interface CpuState {
  startTicks: number;
  ticks: number;
  at: number;
  ema: number;
}

/**
 * Samples the CPU and memory of whole process trees (a unit's main process,
 * its children, grandchildren, …) straight from /proc: one scan of the process
 * table per round, whatever the number of units.
 *
 * - memory: the sum of the resident set sizes of the tree (shared pages are
 *   counted once per process, like `ps`);
 * - CPU: percent of one core used by the tree since the previous sample
 *   (`utime+stime` of live processes plus `cutime+cstime`, so time of reaped
 *   children is kept), smoothed by an exponential moving average per root pid.
 *   The first sample of a root averages over the process's life so far;
 * - a root pid that is gone (or a zombie) yields null and its average is forgotten.
 */
export class ResourceSampler {
  private readonly procRoot: string;
  private readonly smoothingMs: number;
  private readonly cpu = new Map<number, CpuState>();

  constructor(options: ResourceSamplerOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.smoothingMs = Math.max(1, options.smoothingMs ?? 5000);
  }

  /** The tree of `rootPid` now, or null when the process is gone. */
  async sample(rootPid: number): Promise<ResourceSample | null> {
    return (await this.sampleMany([rootPid])).get(rootPid) ?? null;
  }

  /** Several trees from one scan of /proc. Every requested pid is a key of the result. */
  async sampleMany(rootPids: readonly number[]): Promise<Map<number, ResourceSample | null>> {
    const result = new Map<number, ResourceSample | null>();
    if (rootPids.length === 0) return result;
    const table = await readProcessTable(this.procRoot);
    const now = Date.now();
    for (const pid of rootPids) result.set(pid, this.fromTable(table, pid, now));
    // Forget the averages of roots that no longer exist (units restarted under new pids).
    for (const pid of this.cpu.keys()) if (!table.processes.has(pid)) this.cpu.delete(pid);
    return result;
  }

  /** Drop the CPU average of a root pid (e.g. when its unit stopped). */
  forget(rootPid: number): void {
    this.cpu.delete(rootPid);
  }

  private fromTable(table: ProcessTable, rootPid: number, now: number): ResourceSample | null {
    const tree = processTree(table, rootPid);
    const root = tree[0];
    if (root === undefined || root.state === 'Z') {
      this.cpu.delete(rootPid);
      return null;
    }
    let ticks = 0;
    let memory = 0;
    let threads = 0;
    for (const info of tree) {
      ticks += info.cpuTicks;
      memory += info.rssBytes;
      threads += info.threads;
    }
    return { cpuPercent: this.smooth(rootPid, root.startTicks, ticks, now, table.uptimeSeconds), memoryBytes: memory, processes: tree.length, threads };
  }

  private smooth(rootPid: number, startTicks: number, ticks: number, now: number, uptimeSeconds: number): number {
    const previous = this.cpu.get(rootPid);
    if (previous === undefined || previous.startTicks !== startTicks) {
      const lifeSeconds = uptimeSeconds - startTicks / CLOCK_TICKS_PER_SECOND;
      const average = lifeSeconds > 0 ? (100 * ticks) / CLOCK_TICKS_PER_SECOND / lifeSeconds : 0;
      this.cpu.set(rootPid, { startTicks, ticks, at: now, ema: average });
      return round(average);
    }
    const elapsedMs = now - previous.at;
    if (elapsedMs <= 0) return round(previous.ema);
    const used = Math.max(0, ticks - previous.ticks);
    const instant = (100 * used * 1000) / CLOCK_TICKS_PER_SECOND / elapsedMs;
    const alpha = 1 - Math.exp(-elapsedMs / this.smoothingMs);
    previous.ema += alpha * (instant - previous.ema);
    previous.ticks = ticks;
    previous.at = now;
    return round(previous.ema);
  }
}

function round(percent: number): number {
  return Math.round(percent * 10) / 10;
}

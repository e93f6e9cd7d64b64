import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitsSpec } from '../ensemble/plan.js';
import type { LimitsMechanism } from '../supervisor/unit-state.js';
import { detectCgroups, neededControllers } from './cgroup-detect.js';
import type { CgroupDriver } from './cgroup-driver.js';
import { safeInstance } from './cgroup-driver.js';
import { fsErrorText, removeCgroupTree, tryRemoveDir } from './cgroup-fs.js';
import { CgroupV1Driver } from './cgroup-v1.js';
import { CgroupV2Driver } from './cgroup-v2.js';
import { LimitsError } from './limits-error.js';
import { processTree, readProcessTable } from './process-table.js';
import type { LimitsEnforcer } from './types.js';

/** Options of {@link createLimitsEnforcer}. */
export interface LimitsEnforcerOptions {
  /** Where the cgroup filesystem is mounted (default `/sys/fs/cgroup`). */
  readonly root?: string;
  /**
   * Name of this supervisor's parent cgroup below `ensemble/` — unique per
   * running supervisor, e.g. `<runtime id>-<pid>` (default: the pid). Parents
   * ending in `-<pid>` (or named `<pid>`) of supervisors that are no longer
   * running are removed when empty.
   */
  readonly instance?: string;
  /** Where procfs is mounted (default `/proc`). */
  readonly procRoot?: string;
  /** Where notes go (fallback to sampling, unenforceable cpu limits); each is logged once. Default: stderr. */
  readonly log?: (message: string) => void;
}

/** A {@link LimitsEnforcer} that also reports what it detected and what the kernel did. */
export interface DetectedLimitsEnforcer extends LimitsEnforcer {
  /**
   * The mechanism used for units with memory/pids limits and why cgroups are
   * not used when they are not (null reason for cgroups).
   */
  detect(): Promise<{ readonly mechanism: LimitsMechanism; readonly reason: string | null }>;
  /** The mechanism applied to a unit, null when `apply` was not called (or it was released). */
  mechanismOf(unit: string): LimitsMechanism | null;
  /** How many processes of the unit the kernel's OOM killer killed (cgroups only; 0 otherwise). */
  oomKills(unit: string): Promise<number>;
  /** The directories the unit's cgroup has (or would have), one per hierarchy; empty without cgroups. */
  cgroupDirs(unit: string): string[];
}

interface Applied {
  readonly mechanism: LimitsMechanism;
  readonly pid: number;
}

/** How long `release` waits for the processes of a cgroup to die after SIGKILL. */
const RELEASE_DEADLINE_MS = 10_000;

/**
 * Create the limits enforcer of one supervisor.
 *
 * Mechanisms, best first:
 * - `cgroup-v2` / `cgroup-v1`: one cgroup per unit at
 *   `<supervisor's own cgroup>/ensemble/<instance>/<unit>.unit` (v1: in each of
 *   the memory, cpu and pids hierarchies) with memory, cpu quota and pids
 *   limits; the kernel enforces them (the OOM killer kills a process of a unit
 *   over its memory limit, forks beyond pids fail with EAGAIN, cpu is throttled);
 * - `sampling`: when cgroups cannot be written; the supervisor samples the
 *   unit's tree and kills and restarts it on a violation (see
 *   `sampledLimitViolation`). CPU cannot be enforced this way (logged once);
 * - `none`: no limit set (or only a cpu limit under sampling).
 * Never RLIMIT_AS: it breaks V8 and WebAssembly, which reserve large address ranges.
 */
export function createLimitsEnforcer(options: LimitsEnforcerOptions = {}): DetectedLimitsEnforcer {
  return new CgroupLimitsEnforcer(options);
}

class CgroupLimitsEnforcer implements DetectedLimitsEnforcer {
  private readonly root: string;
  private readonly instance: string;
  private readonly procRoot: string;
  private readonly log: (message: string) => void;
  private readonly logged = new Set<string>();
  private readonly applied = new Map<string, Applied>();
  private queue: Promise<unknown> = Promise.resolve();
  private driverCache: { driver: CgroupDriver | null; reason: string | null } | null = null;
  private staleSwept = false;

  constructor(options: LimitsEnforcerOptions) {
    this.root = options.root ?? '/sys/fs/cgroup';
    this.instance = safeInstance(options.instance ?? String(process.pid));
    this.procRoot = options.procRoot ?? '/proc';
    this.log = options.log ?? ((message) => process.stderr.write(`ensemble: ${message}\n`));
  }

  private driver(): { driver: CgroupDriver | null; reason: string | null } {
    if (this.driverCache === null) {
      const layout = detectCgroups(this.root, this.procRoot);
      if (layout.version === 'v2') this.driverCache = { driver: new CgroupV2Driver(layout.hierarchy, this.instance), reason: null };
      else if (layout.version === 'v1') this.driverCache = { driver: new CgroupV1Driver(layout.hierarchies, this.instance), reason: null };
      else this.driverCache = { driver: null, reason: layout.reason };
    }
    return this.driverCache;
  }

  /** Log `message` once per `key` for the life of the enforcer. */
  private note(key: string, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.log(message);
  }

  /**
   * Run `work` after every earlier apply/release/detect. One queue for the
   * whole enforcer: these take milliseconds, and serialising them keeps the
   * creation and removal of the shared parents race-free.
   */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Remove the shared parents when no unit uses a cgroup any more (they are re-created on demand). */
  private async tidyParents(driver: CgroupDriver): Promise<void> {
    for (const applied of this.applied.values()) if (applied.mechanism === driver.mechanism) return;
    for (const dir of driver.parentDirs()) await tryRemoveDir(dir);
    driver.reset();
  }

  detect(): Promise<{ mechanism: LimitsMechanism; reason: string | null }> {
    return this.serial(async () => {
      const { driver, reason } = this.driver();
      if (driver === null) return { mechanism: 'sampling', reason };
      const why = await driver.prepare(['memory', 'pids']);
      await this.tidyParents(driver);
      return why === null ? { mechanism: driver.mechanism, reason: null } : { mechanism: 'sampling', reason: why };
    });
  }

  mechanismOf(unit: string): LimitsMechanism | null {
    return this.applied.get(unit)?.mechanism ?? null;
  }

  apply(unit: string, pid: number, limits: LimitsSpec): Promise<LimitsMechanism> {
    return this.serial(async () => {
      if (this.applied.has(unit)) await this.releaseNow(unit);
      const needed = neededControllers(limits);
      if (needed.length === 0) return this.record(unit, pid, 'none');
      const { driver, reason } = this.driver();
      const why = driver === null ? reason : await driver.prepare(needed);
      if (driver === null || why !== null) {
        if (driver !== null) await this.tidyParents(driver);
        return this.fallBack(unit, pid, limits, why ?? 'cgroups unavailable');
      }
      await this.sweepStale(driver);
      await this.removeUnitCgroup(unit, driver); // leftovers of an earlier run of this instance
      try {
        await driver.create(unit, limits);
      } catch (error) {
        await this.removeUnitCgroup(unit, driver).catch(() => undefined);
        await this.tidyParents(driver);
        throw new LimitsError(unit, `cannot write ${driver.mechanism} limits: ${fsErrorText(error)}`, error);
      }
      try {
        await driver.move(unit, pid);
      } catch (error) {
        await this.removeUnitCgroup(unit, driver).catch(() => undefined);
        await this.tidyParents(driver);
        const gone = (error as { code?: unknown }).code === 'ESRCH';
        throw new LimitsError(unit, gone ? `process ${pid} exited before its limits were applied` : `cannot move process ${pid} into its cgroup: ${fsErrorText(error)}`, error);
      }
      // Children the process forked before it was moved stay where they were born: move them too.
      const table = await readProcessTable(this.procRoot);
      for (const child of processTree(table, pid).slice(1)) await driver.move(unit, child.pid).catch(() => undefined);
      return this.record(unit, pid, driver.mechanism);
    });
  }

  private record(unit: string, pid: number, mechanism: LimitsMechanism): LimitsMechanism {
    this.applied.set(unit, { mechanism, pid });
    return mechanism;
  }

  private fallBack(unit: string, pid: number, limits: LimitsSpec, reason: string): LimitsMechanism {
    this.note('sampling', `resource limits are enforced by sampling, not cgroups: ${reason}`);
    if (limits.cpuPercent !== undefined) this.note('cpu', `cpu limits cannot be enforced by sampling and are not enforced (first: unit ${unit}, cpu ${limits.cpuPercent}%)`);
    return this.record(unit, pid, limits.memoryBytes !== undefined || limits.pids !== undefined ? 'sampling' : 'none');
  }

  async pids(unit: string): Promise<number[]> {
    const applied = this.applied.get(unit);
    const { driver } = this.driver();
    if (applied !== undefined && (applied.mechanism === 'cgroup-v1' || applied.mechanism === 'cgroup-v2') && driver !== null) return driver.procs(unit);
    if (applied === undefined) return [];
    const table = await readProcessTable(this.procRoot);
    return processTree(table, applied.pid)
      .filter((info) => info.state !== 'Z')
      .map((info) => info.pid);
  }

  async oomKills(unit: string): Promise<number> {
    const { driver } = this.driver();
    const mechanism = this.applied.get(unit)?.mechanism;
    return driver !== null && mechanism === driver.mechanism ? driver.oomKills(unit) : 0;
  }

  cgroupDirs(unit: string): string[] {
    return this.driver().driver?.unitDirs(unit) ?? [];
  }

  release(unit: string): Promise<void> {
    return this.serial(() => this.releaseNow(unit));
  }

  private async releaseNow(unit: string): Promise<void> {
    this.applied.delete(unit);
    const { driver } = this.driver();
    if (driver === null) return;
    try {
      await this.removeUnitCgroup(unit, driver);
    } finally {
      await this.tidyParents(driver);
    }
  }

  /** Kill whatever is left in the unit's cgroup(s), wait until empty, remove the directories. */
  private async removeUnitCgroup(unit: string, driver: CgroupDriver): Promise<void> {
    const deadline = Date.now() + RELEASE_DEADLINE_MS;
    for (;;) {
      const left = await driver.procs(unit);
      if (left.length === 0) break;
      if (Date.now() > deadline) throw new LimitsError(unit, `processes ${left.join(', ')} survive SIGKILL; cgroup not removed`);
      if (!(await driver.killAll(unit).catch(() => false))) {
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    try {
      for (const dir of driver.unitDirs(unit)) await removeCgroupTree(dir);
    } catch (error) {
      throw new LimitsError(unit, `cannot remove its cgroup: ${fsErrorText(error)}`, error);
    }
  }

  /** Remove empty parents of supervisors that are gone (named `<pid>` or `…-<pid>`). */
  private async sweepStale(driver: CgroupDriver): Promise<void> {
    if (this.staleSwept) return;
    this.staleSwept = true;
    const parents = new Set(driver.parentDirs().filter((dir) => dir.endsWith('/ensemble')));
    for (const parent of parents) {
      let names: string[];
      try {
        names = (await readdir(parent, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
      } catch {
        continue;
      }
      for (const name of names) {
        const pid = Number(/(?:^|-)(\d+)$/.exec(name)?.[1] ?? NaN);
        if (name === this.instance || !Number.isInteger(pid) || isRunning(pid)) continue;
        await removeCgroupTree(join(parent, name)).catch(() => undefined);
      }
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

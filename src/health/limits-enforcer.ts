import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitsSpec } from '../ensemble/plan.js';
import type { UnitCgroup } from '../supervisor/process/unit-cgroup.js';
import type { LimitsMechanism } from '../supervisor/lifecycle/unit-state.js';
import { detectCgroups, neededControllers } from './cgroup-detect.js';
import type { CgroupDriver } from './cgroup-driver.js';
import { safeInstance } from './cgroup-driver.js';
import { fsErrorText, readProcs, removeCgroupTree, tryRemoveDir } from './cgroup-fs.js';
import { CgroupV1Driver } from './cgroup-v1.js';
import { CgroupV2Driver } from './cgroup-v2.js';
import { formatBytes } from '../common/size.js';
import { LimitsError } from './limits-error.js';
import { processTree, readProcessTable } from './process-table.js';
import type { LimitsEnforcer } from '../supervisor/health-services.js';

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
  /**
   * Create the unit's own cgroup and write its limits BEFORE its process is
   * spawned (every unit gets one where cgroups can be written, limits or
   * not); the process then enters it before it executes its program
   * (`enterCgroupCommand`), and `apply` only records it. Null when no cgroup
   * can be used: then processes that leave the unit's process group are not
   * tracked (said once in the log) and limits fall back to sampling.
   * Throws ENS_E_LIMITS when the limits cannot be written.
   */
  place(unit: string, limits: LimitsSpec): Promise<UnitCgroup | null>;
  /**
   * The directories below which this supervisor's unit cgroups live (one per
   * hierarchy), known before any unit starts: the orphan reaper empties every
   * cgroup below them if the supervisor dies.
   */
  instanceDirs(): string[];
}

interface Applied {
  readonly mechanism: LimitsMechanism;
  readonly pid: number;
  /** The unit has its own cgroup (limits or not). */
  readonly cgroup: boolean;
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
  /** Cgroups made by `place`, not yet recorded by `apply`. */
  private readonly placed = new Map<string, { cgroup: UnitCgroup; needed: boolean; limitsWhy: string | null }>();
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
    if (this.placed.size > 0) return;
    for (const applied of this.applied.values()) if (applied.cgroup) return;
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

  instanceDirs(): string[] {
    const { driver } = this.driver();
    return driver === null ? [] : driver.parentDirs().filter((dir) => !dir.endsWith('/ensemble'));
  }

  place(unit: string, limits: LimitsSpec): Promise<UnitCgroup | null> {
    return this.serial(async () => {
      if (this.applied.has(unit) || this.placed.has(unit)) await this.releaseNow(unit);
      const needed = neededControllers(limits);
      const { driver, reason } = this.driver();
      let why = driver === null ? reason : await driver.prepare(needed);
      // Limits the cgroups cannot hold (a controller missing or not delegated) fall back to
      // sampling, but the unit still gets a bare cgroup to track its processes when one can be made.
      let limitsWhy: string | null = null;
      if (driver !== null && why !== null && needed.length > 0 && (await driver.prepare([])) === null) {
        limitsWhy = why;
        why = null;
      }
      if (driver === null || why !== null) {
        if (driver !== null) await this.tidyParents(driver);
        this.untracked(why ?? 'cgroups unavailable');
        return null;
      }
      await this.sweepStale(driver);
      // Leftovers of an earlier run of this instance (checked without a trip through the thread pool).
      if (driver.unitDirs(unit).some((dir) => existsSync(dir))) await this.removeUnitCgroup(unit, driver);
      try {
        await driver.create(unit, limitsWhy === null ? limits : {}, true);
      } catch (error) {
        await this.removeUnitCgroup(unit, driver).catch(() => undefined);
        await this.tidyParents(driver);
        throw new LimitsError(unit, `cannot write ${driver.mechanism} limits: ${fsErrorText(error)}`, error);
      }
      const dirs = driver.unitDirs(unit).filter((dir) => existsSync(dir));
      if (dirs.length === 0) {
        await this.tidyParents(driver);
        this.untracked(`no ${driver.mechanism} hierarchy could be written`);
        return null;
      }
      const cgroup: UnitCgroup = {
        mechanism: driver.mechanism,
        dirs,
        oomReason: limits.memoryBytes === undefined || limitsWhy !== null ? null : `memory limit ${formatBytes(limits.memoryBytes)} (OOM)`,
      };
      this.placed.set(unit, { cgroup, needed: needed.length > 0, limitsWhy });
      return cgroup;
    });
  }

  /** Said once: without cgroups, escaped processes are not tracked. */
  private untracked(reason: string): void {
    this.note(
      'untracked',
      `units run without their own cgroup (${reason}): processes that leave a unit's process group (setsid, double fork) are not tracked, stopped or killed with it, and limits are enforced by sampling`,
    );
  }

  apply(unit: string, pid: number, limits: LimitsSpec): Promise<LimitsMechanism> {
    return this.serial(async () => {
      const placed = this.placed.get(unit);
      if (placed !== undefined) {
        this.placed.delete(unit);
        if (placed.limitsWhy !== null) return this.fallBack(unit, pid, limits, placed.limitsWhy, true);
        return this.record(unit, pid, placed.needed ? placed.cgroup.mechanism : 'none', true);
      }
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
      return this.record(unit, pid, driver.mechanism, true);
    });
  }

  private record(unit: string, pid: number, mechanism: LimitsMechanism, cgroup = false): LimitsMechanism {
    this.applied.set(unit, { mechanism, pid, cgroup });
    return mechanism;
  }

  private fallBack(unit: string, pid: number, limits: LimitsSpec, reason: string, cgroup = false): LimitsMechanism {
    this.note('sampling', `resource limits are enforced by sampling, not cgroups: ${reason}`);
    if (limits.cpuPercent !== undefined) this.note('cpu', `cpu limits cannot be enforced by sampling and are not enforced (first: unit ${unit}, cpu ${limits.cpuPercent}%)`);
    return this.record(unit, pid, limits.memoryBytes !== undefined || limits.pids !== undefined ? 'sampling' : 'none', cgroup);
  }

  async pids(unit: string): Promise<number[]> {
    const applied = this.applied.get(unit);
    const { driver } = this.driver();
    if (applied?.cgroup === true && driver !== null) return driver.procs(unit);
    if (applied === undefined) return [];
    const table = await readProcessTable(this.procRoot);
    return processTree(table, applied.pid)
      .filter((info) => info.state !== 'Z')
      .map((info) => info.pid);
  }

  async oomKills(unit: string): Promise<number> {
    const { driver } = this.driver();
    return driver !== null && this.applied.get(unit)?.cgroup === true ? driver.oomKills(unit) : 0;
  }

  cgroupDirs(unit: string): string[] {
    return this.driver().driver?.unitDirs(unit) ?? [];
  }

  release(unit: string): Promise<void> {
    return this.serial(() => this.releaseNow(unit));
  }

  private async releaseNow(unit: string): Promise<void> {
    this.applied.delete(unit);
    this.placed.delete(unit);
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

  /**
   * Clean the parents of supervisors that are gone (named `<pid>` or `…-<pid>`):
   * those of this ensemble (same `<runtime id>-` prefix: a crashed predecessor
   * whose reaper died too) are emptied with SIGKILL and removed; those of other
   * ensembles are removed when empty (their own successor empties them).
   */
  private async sweepStale(driver: CgroupDriver): Promise<void> {
    if (this.staleSwept) return;
    this.staleSwept = true;
    const dash = this.instance.lastIndexOf('-');
    const ownPrefix = dash > 0 ? this.instance.slice(0, dash + 1) : null;
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
        if (ownPrefix !== null && name.startsWith(ownPrefix)) {
          const killed = await emptyTree(join(parent, name));
          if (killed > 0) this.log(`killed ${killed} processes left in the cgroups of a supervisor that did not shut down cleanly (${join(parent, name)})`);
        }
        await removeCgroupTree(join(parent, name)).catch(() => undefined);
      }
    }
  }
}

/** SIGKILL every process in the cgroups below `dir` until they are empty (bounded); how many were killed. */
async function emptyTree(dir: string): Promise<number> {
  const killed = new Set<number>();
  for (let round = 0; round < 100; round++) {
    const pids = await treeProcs(dir);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return killed.size;
}

async function treeProcs(dir: string): Promise<number[]> {
  const pids = await readProcs(dir);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return pids;
  }
  for (const entry of entries) if (entry.isDirectory()) pids.push(...(await treeProcs(join(dir, entry.name))));
  return pids;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

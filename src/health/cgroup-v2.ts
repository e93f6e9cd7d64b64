import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitsSpec } from '../ensemble/plan.js';
import { CONTROLLERS, CPU_PERIOD_US, cpuQuotaUs } from './cgroup-detect.js';
import type { Controller, Hierarchy } from './cgroup-detect.js';
import type { CgroupDriver } from './cgroup-driver.js';
import { unitDirName } from './cgroup-driver.js';
import { fsErrorText, makeDirs, makeDirsSync, readKey, readProcs, writeControl, writeControlSync, writeOptionalControl } from './cgroup-fs.js';

/**
 * cgroup v2 (unified hierarchy): `<own cgroup>/ensemble/<instance>/<unit>.unit`,
 * with memory, cpu and pids enabled in `cgroup.subtree_control` of the own
 * cgroup, `ensemble` and the instance. Because of the "no internal processes"
 * rule this works when the supervisor's own cgroup is the root or has its
 * controllers delegated and enabled (e.g. a systemd unit with `Delegate=yes`);
 * otherwise `prepare` says why limits cannot be set and the enforcer falls
 * back to sampling for them. Cgroups without controllers are not bound by that
 * rule: where the own cgroup can be written at all, every unit still gets one,
 * to track and kill its processes (`prepare([])` succeeds).
 */
/** What `prepare` found: the controllers enabled down to the instance, why not, and whether bare (tracking) cgroups can be made. */
interface SetUp {
  readonly enabled: Set<Controller>;
  readonly reason: string | null;
  readonly tracking: boolean;
}

export class CgroupV2Driver implements CgroupDriver {
  readonly mechanism = 'cgroup-v2';
  private prepared: Promise<SetUp> | null = null;

  constructor(
    private readonly hierarchy: Hierarchy,
    private readonly instance: string,
  ) {}

  private base(): string {
    return join(this.hierarchy.own, 'ensemble', this.instance);
  }

  private async setUp(): Promise<SetUp> {
    const { enabled, reason } = await this.enableControllers();
    if (reason === null) return { enabled, reason, tracking: true };
    try {
      // No controllers: only the directories, for tracking.
      await makeDirs(this.base());
      return { enabled: new Set(), reason, tracking: true };
    } catch {
      return { enabled: new Set(), reason, tracking: false };
    }
  }

  private async enableControllers(): Promise<{ enabled: Set<Controller>; reason: string | null }> {
    const own = this.hierarchy.own;
    const available = (await readFile(join(own, 'cgroup.controllers'), 'utf8')).trim().split(/\s+/);
    const enabled = new Set<Controller>(CONTROLLERS.filter((c) => available.includes(c)));
    if (enabled.size === 0) return { enabled, reason: `cgroup v2 offers none of ${CONTROLLERS.join(', ')} in ${own}` };
    try {
      for (const dir of [own, join(own, 'ensemble'), this.base()]) {
        await makeDirs(dir);
        const active = (await readFile(join(dir, 'cgroup.subtree_control'), 'utf8')).trim().split(/\s+/);
        for (const controller of enabled) if (!active.includes(controller)) await writeControl(dir, 'cgroup.subtree_control', `+${controller}`);
      }
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'EBUSY';
      const why = busy ? `the supervisor's cgroup ${own} holds processes and cannot delegate controllers (run it in a delegated cgroup, e.g. systemd Delegate=yes)` : fsErrorText(error);
      return { enabled, reason: `cgroup v2 is not writable: ${why}` };
    }
    return { enabled, reason: null };
  }

  async prepare(needed: readonly Controller[]): Promise<string | null> {
    this.prepared ??= this.setUp().catch((error: unknown) => ({ enabled: new Set<Controller>(), reason: `cgroup v2 is not usable: ${fsErrorText(error)}`, tracking: false }));
    const { enabled, reason, tracking } = await this.prepared;
    if (needed.length === 0 && tracking) return null;
    if (reason) return reason;
    const missing = needed.filter((c) => !enabled.has(c));
    return missing.length > 0 ? `cgroup v2 controller ${missing.join(', ')} not available in ${this.hierarchy.own}` : null;
  }

  async create(unit: string, limits: LimitsSpec): Promise<void> {
    const dir = join(this.base(), unitDirName(unit));
    makeDirsSync(dir);
    if (limits.memoryBytes !== undefined) {
      writeControlSync(dir, 'memory.max', limits.memoryBytes);
      // The limit means memory, not memory plus swap.
      await writeOptionalControl(dir, 'memory.swap.max', 0);
    }
    if (limits.cpuPercent !== undefined) writeControlSync(dir, 'cpu.max', `${cpuQuotaUs(limits.cpuPercent)} ${CPU_PERIOD_US}`);
    if (limits.pids !== undefined) writeControlSync(dir, 'pids.max', limits.pids);
  }

  async move(unit: string, pid: number): Promise<void> {
    await writeControl(join(this.base(), unitDirName(unit)), 'cgroup.procs', pid);
  }

  procs(unit: string): Promise<number[]> {
    return readProcs(join(this.base(), unitDirName(unit)));
  }

  async killAll(unit: string): Promise<boolean> {
    const dir = join(this.base(), unitDirName(unit));
    if (!existsSync(join(dir, 'cgroup.kill'))) return false;
    await writeControl(dir, 'cgroup.kill', 1);
    return true;
  }

  oomKills(unit: string): Promise<number> {
    return readKey(join(this.base(), unitDirName(unit)), 'memory.events', 'oom_kill');
  }

  unitDirs(unit: string): string[] {
    return [join(this.base(), unitDirName(unit))];
  }

  parentDirs(): string[] {
    return [this.base(), join(this.hierarchy.own, 'ensemble')];
  }

  reset(): void {
    this.prepared = null;
  }
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LimitsSpec } from '../ensemble/plan.js';
import { CPU_PERIOD_US, cpuQuotaUs, neededControllers } from './cgroup-detect.js';
import type { Controller, Hierarchy } from './cgroup-detect.js';
import type { CgroupDriver } from './cgroup-driver.js';
import { unitDirName } from './cgroup-driver.js';
import { fsErrorText, makeDirs, makeDirsSync, readKey, readProcs, writeControl, writeControlSync, writeOptionalControl } from './cgroup-fs.js';

/** The hierarchy a unit without limits is tracked in, best first. */
const TRACKING_ORDER: readonly Controller[] = ['pids', 'cpu', 'memory'];

/**
 * cgroup v1: one directory per controller hierarchy (memory, cpu, pids),
 * `<own cgroup>/ensemble/<instance>/<unit>.unit` in each. Through `apply` a
 * unit gets a cgroup in every usable hierarchy; a cgroup made before the spawn
 * (`create(…, minimal)`) is made only in the hierarchies its limits need, or in
 * one (pids, else cpu, else memory) to track its processes.
 */
export class CgroupV1Driver implements CgroupDriver {
  readonly mechanism = 'cgroup-v1';
  private readonly prepared = new Map<Controller, Promise<string | null>>();

  constructor(
    private readonly hierarchies: ReadonlyMap<Controller, Hierarchy>,
    private readonly instance: string,
  ) {}

  private base(hierarchy: Hierarchy): string {
    return join(hierarchy.own, 'ensemble', this.instance);
  }

  private prepareOne(controller: Controller, hierarchy: Hierarchy): Promise<string | null> {
    let done = this.prepared.get(controller);
    if (done === undefined) {
      done = makeDirs(this.base(hierarchy)).then(
        () => null,
        (error: unknown) => `cgroup v1 ${controller} hierarchy is not writable (${fsErrorText(error)})`,
      );
      this.prepared.set(controller, done);
    }
    return done;
  }

  async prepare(needed: readonly Controller[]): Promise<string | null> {
    const reasons = new Map<Controller, string | null>();
    for (const [controller, hierarchy] of this.hierarchies) reasons.set(controller, await this.prepareOne(controller, hierarchy));
    for (const controller of needed) {
      if (!this.hierarchies.has(controller)) return `cgroup v1 has no ${controller} hierarchy`;
      const reason = reasons.get(controller);
      if (reason) return reason;
    }
    return null;
  }

  /** Hierarchies whose instance parent could be created. */
  private async usable(): Promise<[Controller, Hierarchy][]> {
    const result: [Controller, Hierarchy][] = [];
    for (const [controller, hierarchy] of this.hierarchies) if ((await this.prepareOne(controller, hierarchy)) === null) result.push([controller, hierarchy]);
    return result;
  }

  async create(unit: string, limits: LimitsSpec, minimal = false): Promise<void> {
    let usable = await this.usable();
    if (minimal) {
      // The hierarchies the limits need, else one to track the processes (pids is the cheapest;
      // a memory cgroup costs the kernel far more): thousands of units need not cost thousands of memcgs.
      const needed = new Set(neededControllers(limits));
      const chosen = usable.filter(([controller]) => needed.has(controller));
      if (chosen.length === 0) {
        const tracking = TRACKING_ORDER.map((c) => usable.find(([controller]) => controller === c)).find((entry) => entry !== undefined);
        if (tracking) chosen.push(tracking);
      }
      usable = chosen;
    }
    for (const [controller, hierarchy] of usable) {
      const dir = join(this.base(hierarchy), unitDirName(unit));
      makeDirsSync(dir);
      if (controller === 'memory' && limits.memoryBytes !== undefined) {
        writeControlSync(dir, 'memory.limit_in_bytes', limits.memoryBytes);
        // With swap accounting, also cap memory+swap so the limit cannot be dodged by swapping.
        await writeOptionalControl(dir, 'memory.memsw.limit_in_bytes', limits.memoryBytes);
      }
      if (controller === 'cpu' && limits.cpuPercent !== undefined) {
        writeControlSync(dir, 'cpu.cfs_period_us', CPU_PERIOD_US);
        writeControlSync(dir, 'cpu.cfs_quota_us', cpuQuotaUs(limits.cpuPercent));
      }
      if (controller === 'pids' && limits.pids !== undefined) writeControlSync(dir, 'pids.max', limits.pids);
    }
  }

  async move(unit: string, pid: number): Promise<void> {
    for (const dir of this.unitDirs(unit)) if (existsSync(dir)) await writeControl(dir, 'cgroup.procs', pid);
  }

  async procs(unit: string): Promise<number[]> {
    const all = new Set<number>();
    for (const dir of this.unitDirs(unit)) for (const pid of await readProcs(dir)) all.add(pid);
    return [...all].sort((a, b) => a - b);
  }

  killAll(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async oomKills(unit: string): Promise<number> {
    const memory = this.hierarchies.get('memory');
    return memory ? readKey(join(this.base(memory), unitDirName(unit)), 'memory.oom_control', 'oom_kill') : 0;
  }

  unitDirs(unit: string): string[] {
    return [...this.hierarchies.values()].map((hierarchy) => join(this.base(hierarchy), unitDirName(unit)));
  }

  parentDirs(): string[] {
    const dirs: string[] = [];
    for (const hierarchy of this.hierarchies.values()) dirs.push(this.base(hierarchy), join(hierarchy.own, 'ensemble'));
    return dirs;
  }

  reset(): void {
    this.prepared.clear();
  }
}

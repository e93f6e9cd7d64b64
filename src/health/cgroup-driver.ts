import type { LimitsSpec } from '../ensemble/plan.js';
import type { Controller } from './cgroup-detect.js';

/** One cgroup version's way of creating, filling and removing a unit's cgroup(s). */
export interface CgroupDriver {
  readonly mechanism: 'cgroup-v1' | 'cgroup-v2';
  /**
   * Make sure the instance parent exists and can hold the `needed`
   * controllers. Returns null when usable, else why not (the caller falls
   * back to sampling). Results are cached.
   */
  prepare(needed: readonly Controller[]): Promise<string | null>;
  /**
   * Create the unit's cgroup(s) and write the limits. Throws the raw fs error.
   * `minimal`: only where the limits need it, else one hierarchy to track the
   * processes (v1 has several; v2 always makes its one cgroup).
   */
  create(unit: string, limits: LimitsSpec, minimal?: boolean): Promise<void>;
  /** Move processes into the unit's cgroup(s). Throws the raw fs error (ESRCH when a pid is gone). */
  move(unit: string, pid: number): Promise<void>;
  /** Every pid in the unit's cgroup(s). */
  procs(unit: string): Promise<number[]>;
  /** Kill every process of the unit's cgroup in one step if the kernel can (v2 `cgroup.kill`); false otherwise. */
  killAll(unit: string): Promise<boolean>;
  /** How many processes the kernel OOM killer killed in the unit's cgroup. */
  oomKills(unit: string): Promise<number>;
  /** Where the unit's cgroup lives (one directory per hierarchy). */
  unitDirs(unit: string): string[];
  /** The instance parent directories, innermost first, then the shared `ensemble` parents. */
  parentDirs(): string[];
  /** Forget what `prepare` cached (after the parents were removed). */
  reset(): void;
}

/** The directory name of a unit's cgroup: a suffix keeps unit names from colliding with control files. */
export function unitDirName(unit: string): string {
  return `${unit}.unit`;
}

/** An instance name safe as a cgroup directory name. */
export function safeInstance(instance: string): string {
  const safe = instance.replace(/[^A-Za-z0-9_.-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? '_' : safe;
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The controllers Ensemble uses. */
export type Controller = 'memory' | 'cpu' | 'pids';
export const CONTROLLERS: readonly Controller[] = ['memory', 'cpu', 'pids'];

/** Where one cgroup hierarchy is and where this process sits in it. */
export interface Hierarchy {
  /** Mount point of the hierarchy. */
  readonly mount: string;
  /** This process's cgroup directory in it (the mount itself when its path is not visible there). */
  readonly own: string;
}

/** What the machine offers. */
export type CgroupLayout =
  | { readonly version: 'v2'; readonly hierarchy: Hierarchy }
  | { readonly version: 'v1'; readonly hierarchies: ReadonlyMap<Controller, Hierarchy> }
  | { readonly version: 'none'; readonly reason: string };

/**
 * Detect the cgroup layout under `root` (normally /sys/fs/cgroup):
 * - v2 when `root/cgroup.controllers` exists (the unified hierarchy is mounted at root);
 * - v1 when `root/<controller>/cgroup.procs` exists for memory, cpu or pids
 *   (separate hierarchies; hybrid systems with an extra `unified` mount count as v1);
 * - none otherwise.
 * This process's own cgroup comes from `/proc/self/cgroup`.
 */
export function detectCgroups(root: string, procRoot = '/proc'): CgroupLayout {
  let lines: { controllers: string[]; path: string }[] = [];
  try {
    lines = readFileSync(join(procRoot, 'self', 'cgroup'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const first = line.indexOf(':');
        const second = line.indexOf(':', first + 1);
        return { controllers: line.slice(first + 1, second).split(','), path: line.slice(second + 1) };
      });
  } catch {
    // not Linux, or no procfs: own cgroups unknown, use the mount roots
  }
  const ownDir = (mount: string, path: string | undefined): string => {
    if (path === undefined || path === '/' || path === '') return mount;
    const dir = join(mount, path);
    return existsSync(dir) ? dir : mount;
  };
  if (existsSync(join(root, 'cgroup.controllers'))) {
    const path = lines.find((line) => line.controllers.length === 1 && line.controllers[0] === '')?.path;
    return { version: 'v2', hierarchy: { mount: root, own: ownDir(root, path) } };
  }
  const hierarchies = new Map<Controller, Hierarchy>();
  for (const controller of CONTROLLERS) {
    const mount = join(root, controller);
    if (!existsSync(join(mount, 'cgroup.procs'))) continue;
    const path = lines.find((line) => line.controllers.includes(controller))?.path;
    hierarchies.set(controller, { mount, own: ownDir(mount, path) });
  }
  if (hierarchies.size > 0) return { version: 'v1', hierarchies };
  return { version: 'none', reason: `no cgroup filesystem at ${root}` };
}

/** The controllers a unit's limits need. */
export function neededControllers(limits: { memoryBytes?: number; cpuPercent?: number; pids?: number }): Controller[] {
  const needed: Controller[] = [];
  if (limits.memoryBytes !== undefined) needed.push('memory');
  if (limits.cpuPercent !== undefined) needed.push('cpu');
  if (limits.pids !== undefined) needed.push('pids');
  return needed;
}

/** CFS period used for CPU quotas (100 ms, the kernel default). */
export const CPU_PERIOD_US = 100_000;

/** The CFS quota for `percent` of one core (at least the kernel minimum of 1 ms). */
export function cpuQuotaUs(percent: number): number {
  return Math.max(1000, Math.round((percent / 100) * CPU_PERIOD_US));
}

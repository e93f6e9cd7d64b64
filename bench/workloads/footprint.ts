import type { Instance } from '../instance.js';
import { footprint } from '../proc.js';

/** Workload 4: the supervisor's own memory (all its processes except the units). */
export interface SupervisorFootprint {
  /** Sum of RSS (shared pages counted in every process). */
  readonly rssKiB: number;
  /** Sum of PSS (shared pages split between the processes that map them). */
  readonly pssKiB: number;
  /** How many supervisor processes (e.g. 1 for PM2's daemon, 101 for runit's runsvdir + runsv). */
  readonly processes: number;
  /** Their names with counts, e.g. "runsvdir, 100 runsv". */
  readonly names: string;
}

/** Read /proc/<pid>/smaps_rollup of every supervisor process and add them up. */
export function measureFootprint(instance: Instance): SupervisorFootprint {
  let rssKiB = 0;
  let pssKiB = 0;
  const procs = instance.supervisorProcesses();
  for (const p of procs) {
    const f = footprint(p.pid);
    rssKiB += f.rssKiB;
    pssKiB += f.pssKiB;
  }
  if (procs.length === 0) throw new Error(`${instance.peer.name}: no supervisor process found`);
  const counts = new Map<string, number>();
  for (const p of procs) counts.set(p.comm, (counts.get(p.comm) ?? 0) + 1);
  const names = [...counts].map(([comm, k]) => (k > 1 ? `${k} ${comm}` : comm)).join(', ');
  return { rssKiB, pssKiB, processes: procs.length, names };
}

import type { Instance } from '../instance.js';
import { cpuNanos } from '../proc.js';
import { sleep } from '../process-tracker.js';

/**
 * CPU used by the supervisor's own processes over a window, as a percentage of
 * one core. The harness only sleeps while the window is open.
 */
export async function supervisorCpu(instance: Instance, windowMs: number): Promise<number> {
  const before = new Map(instance.supervisorProcesses().map((p) => [p.pid, cpuNanos(p.pid)]));
  const t0 = process.hrtime.bigint();
  await sleep(windowMs);
  const after = instance.supervisorProcesses();
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  let used = 0;
  for (const p of after) used += cpuNanos(p.pid) - (before.get(p.pid) ?? 0);
  // Processes that were there before and are gone now: their last figure is lost, count what we saw.
  return (100 * Math.max(0, used)) / elapsedNs;
}

/** Workload 5: idle CPU of the supervisor with every unit running, over `windowMs`. */
export async function measureIdleCpu(instance: Instance, windowMs: number): Promise<number> {
  instance.assertUp();
  const pct = await supervisorCpu(instance, windowMs);
  instance.assertUp();
  return pct;
}

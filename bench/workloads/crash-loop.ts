import type { Instance } from '../instance.js';
import { sleep } from '../process-tracker.js';
import { supervisorCpu } from './idle-cpu.js';

/** Workload 6: one unit that exits with status 1 at once, observed for a window. */
export interface CrashLoop {
  /** How many times the unit was started within the window. */
  readonly starts: number;
  /** The supervisor's CPU over the window, % of one core. */
  readonly cpuPct: number;
}

/**
 * Observe an instance whose one unit crashes at once, for `windowMs` from the
 * unit's first start (the instance is started with `crash: true` by the caller).
 */
export async function measureCrashLoop(instance: Instance, windowMs: number, startTimeoutMs: number): Promise<CrashLoop> {
  const deadline = Date.now() + startTimeoutMs;
  while (instance.log.read().length === 0) {
    instance.assertUp();
    if (Date.now() > deadline) throw new Error(`${instance.peer.name}: the crashing unit never started`);
    await sleep(5);
  }
  const first = instance.log.read()[0]!.atNs;
  const cpuPct = await supervisorCpu(instance, windowMs);
  const end = first + BigInt(windowMs) * 1_000_000n;
  const starts = instance.log.read().filter((s) => s.atNs <= end).length;
  return { starts, cpuPct };
}

import type { BenchContext } from '../instance.js';
import { Instance } from '../instance.js';
import type { Peer } from '../peers/peer.js';
import { sleep } from '../process-tracker.js';
import { supervisorCpu } from './idle-cpu.js';

/** Workload 6: one unit that exits with status 1 at once, observed for a window. */
export interface CrashLoop {
  /** How many times the unit was started within the window. */
  readonly starts: number;
  /** The supervisor's CPU over the window, % of one core. */
  readonly cpuPct: number;
}

/** Start `peer` with one crashing unit, observe it for `windowMs` from the first start, stop. */
export async function measureCrashLoop(peer: Peer, ctx: BenchContext, windowMs: number): Promise<CrashLoop> {
  const instance = await Instance.start(peer, { units: 1, crash: true }, ctx);
  try {
    const deadline = Date.now() + 30_000;
    while (instance.log.read().length === 0) {
      instance.assertUp();
      if (Date.now() > deadline) throw new Error(`${peer.name}: the crashing unit never started`);
      await sleep(5);
    }
    const first = instance.log.read()[0]!.atNs;
    const cpuPct = await supervisorCpu(instance, windowMs);
    const end = first + BigInt(windowMs) * 1_000_000n;
    const starts = instance.log.read().filter((s) => s.atNs <= end).length;
    return { starts, cpuPct };
  } finally {
    await instance.shutdown();
  }
}

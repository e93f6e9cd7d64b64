import type { Instance } from '../instance.js';
import { isAlive } from '../proc.js';
import { sleep } from '../process-tracker.js';

/**
 * Workload 3: the peer's stop-all command (with `viaCli`, the CLI form of a
 * supervisor normally stopped by a signal) → no unit process left (zombies count
 * as gone). Polls only the known unit pids (every start is in the start log).
 */
export async function measureStopAll(instance: Instance, timeoutMs: number, viaCli = false): Promise<number> {
  const pids = instance.aliveUnitPids();
  const t0 = process.hrtime.bigint();
  const running = instance.running;
  await (viaCli && running.stopAllViaCli ? running.stopAllViaCli() : running.stopAll());
  const deadline = Date.now() + timeoutMs;
  let remaining = pids;
  for (;;) {
    remaining = remaining.filter(isAlive);
    if (remaining.length === 0) break;
    if (Date.now() > deadline) throw new Error(`${instance.peer.name}: ${remaining.length} unit(s) still running ${timeoutMs} ms after stop`);
    await sleep(2);
  }
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  // A unit started after the snapshot (a restart racing the stop) must be gone too.
  const late = instance.aliveUnitPids();
  if (late.length > 0) throw new Error(`${instance.peer.name}: ${late.length} unit(s) (re)started during stop`);
  return elapsed;
}

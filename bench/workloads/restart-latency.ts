import type { Instance } from '../instance.js';
import { isAlive } from '../proc.js';
import { sleep } from '../process-tracker.js';
import { nsToMs } from './cold-start.js';

/** How long a unit must have been up before it is killed (runit delays restarts of units younger than 1 s). */
export const SETTLED_MS = 1200;

/**
 * Workload 2: `kill -9` of one unit that has been up a while → its new process
 * running (the new process's own first instruction, from the start log).
 * Each sample kills a different unit, one at a time.
 */
export async function measureRestartLatency(instance: Instance, samples: number, timeoutMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const name = instance.names[(i * 7) % instance.names.length] as string;
    const old = await settled(instance, name);
    const killedAt = process.hrtime.bigint();
    process.kill(old.pid, 'SIGKILL');
    const fresh = await replacement(instance, name, old.pid, timeoutMs);
    out.push(nsToMs(fresh.atNs - killedAt));
  }
  return out;
}

/**
 * Kill `count` unit processes in batches of up to 10 distinct units and wait
 * until each batch is replaced (the restarts behind the footprint workload).
 */
export async function restartMany(instance: Instance, count: number, timeoutMs: number): Promise<void> {
  const batch = Math.min(10, instance.names.length);
  let done = 0;
  let next = 0;
  while (done < count) {
    const names: string[] = [];
    for (let i = 0; i < Math.min(batch, count - done); i++) names.push(instance.names[next++ % instance.names.length] as string);
    const latest = instance.log.latest();
    const victims = names.map((name) => ({ name, pid: latest.get(name)?.pid ?? 0 }));
    for (const v of victims) if (v.pid > 0 && isAlive(v.pid)) process.kill(v.pid, 'SIGKILL');
    for (const v of victims) await replacement(instance, v.name, v.pid, timeoutMs);
    done += names.length;
  }
}

async function settled(instance: Instance, name: string): Promise<{ pid: number; atNs: bigint }> {
  const start = instance.log.latest().get(name);
  if (!start || !isAlive(start.pid)) throw new Error(`${instance.peer.name}: unit ${name} is not running`);
  const ageMs = nsToMs(process.hrtime.bigint() - start.atNs);
  if (ageMs < SETTLED_MS) await sleep(SETTLED_MS - ageMs);
  return start;
}

async function replacement(instance: Instance, name: string, oldPid: number, timeoutMs: number): Promise<{ pid: number; atNs: bigint }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = instance.log.latest().get(name);
    if (now && now.pid !== oldPid && isAlive(now.pid)) return now;
    instance.assertUp();
    if (Date.now() > deadline) throw new Error(`${instance.peer.name}: unit ${name} not restarted within ${timeoutMs} ms`);
    await sleep(2);
  }
}

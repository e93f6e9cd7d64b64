import { afterEach, describe, expect, it } from 'vitest';
import { makeUnitSpec } from '../../helpers/make-unit-spec.js';
import { isAlive } from '../../helpers/processes.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';

// Operator transitions of one unit are queued (src/supervisor/lifecycle/unit-queue.ts), but a start holds
// the queue only until it took effect: a stop asked while the unit waits for readiness acts at once.

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** A unit that never says it is ready: a start waits for its ready timeout (10 minutes, far beyond the test's deadline). */
const mute = makeUnitSpec({ name: 'mute', command: 'sleep', args: ['1000'], readiness: 'notify', readyTimeoutMs: 600_000 });

describe('operator transitions of one unit', () => {
  it('a stop given while a start waits for readiness interrupts it; the start answers with the stop', async () => {
    t = startTestSupervisor([mute]);
    await t.supervisor.stopUnit('mute');
    const start = t.supervisor.startUnit('mute');
    const starting = await t.waitUnit('mute', 'a process, not ready', (s) => s.state === 'starting' && s.pid !== null);
    const stopped = await t.supervisor.stopUnit('mute');
    expect(stopped).toMatchObject({ state: 'stopped', pid: null, stoppedByOperator: true });
    expect(isAlive(starting.pid as number)).toBe(false);
    expect(await start).toMatchObject({ state: 'stopped' });
  });

  it('a restart queued behind a stop runs after it, on the same unit, and leaves one process', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'] })]);
    const first = await t.waitState('s', 'ready');
    const [stopped, restarted] = await Promise.all([t.supervisor.stopUnit('s'), t.supervisor.restartUnit('s')]);
    expect(stopped.state).toBe('stopped');
    expect(restarted).toMatchObject({ state: 'ready', stoppedByOperator: false });
    expect(isAlive(first.pid as number)).toBe(false);
    expect(t.supervisor.getUnit('s').pid).toBe(restarted.pid);
  });

  it('a restart whose stop is under way when the supervisor shuts down leaves the unit down', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 'slow', command: 'sh', args: ['-c', "trap 'sleep 1; exit 0' TERM; while :; do sleep 1; done"] })]);
    const first = await t.waitState('slow', 'ready');
    const restart = t.supervisor.restartUnit('slow');
    await t.waitState('slow', 'stopping');
    const shutdown = t.supervisor.shutdown();
    const answer = await restart;
    await shutdown;
    expect(answer.state).toBe('stopped');
    expect(t.supervisor.getUnit('slow')).toMatchObject({ state: 'stopped', pid: null });
    expect(isAlive(first.pid as number)).toBe(false);
    expect(t.transitions('slow').filter((s) => s === 'starting')).toHaveLength(1);
  });
});

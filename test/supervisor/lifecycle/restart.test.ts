import { afterEach, describe, expect, it } from 'vitest';
import { fixture, makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { isAlive } from '../../helpers/processes.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { waitFor } from '../../helpers/wait-for.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** The delays the supervisor announced for `unit` ("…; restarting in 250ms"). */
function announcedDelays(t: TestSupervisor, unit: string): number[] {
  return t.lines
    .filter((l) => l.unit === unit && l.stream === 'supervisor')
    .map((l) => /restarting in (\d+)ms$/.exec(l.line) ?? /restarting in ([\d.]+)s$/.exec(l.line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => (m[0].endsWith('ms') ? Number(m[1]) : Number(m[1]) * 1000));
}

describe('restart policy', () => {
  it('restarts a crashing unit with backoff, then stops it in crashloop after max_restarts within window', async () => {
    t = startTestSupervisor([
      nodeUnit('crasher', 'unit-crash.mjs', { restart: { policy: 'on-failure', backoffMs: 40, maxBackoffMs: 160, maxRestarts: 4, windowMs: 600_000 } }),
      makeUnitSpec({ name: 'bystander', command: 'sleep', args: ['1000'] }),
    ]);
    const bystander = await t.waitState('bystander', 'ready');
    const loop = await t.waitState('crasher', 'crashloop');
    expect(loop.restarts).toBe(4);
    expect(loop.pid).toBeNull();
    expect(loop.exitCode).toBe(3);
    expect(loop.error).toBe('exited with code 3; crash loop: 4 restarts within 600s, kept down until started by hand');
    // Exactly max_restarts starts after the first: 5 processes in all.
    expect(t.transitions('crasher').filter((s) => s === 'starting')).toHaveLength(5);
    const delays = announcedDelays(t, 'crasher');
    expect(delays[0]).toBe(40);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(40);
      expect(d).toBeLessThanOrEqual(Math.min(160, 40 * 2 ** i));
    });
    // The crash loop never touched the other unit.
    const after = t.supervisor.getUnit('bystander');
    expect(after.state).toBe('ready');
    expect(after.pid).toBe(bystander.pid);
    expect(t.events.filter((e) => e.name === 'bystander' && e.state !== 'ready' && e.state !== 'starting' && e.state !== 'pending')).toEqual([]);
  });

  it('an operator start takes a unit out of crashloop with a fresh restart budget', async () => {
    t = startTestSupervisor([nodeUnit('crasher', 'unit-crash.mjs', { restart: { backoffMs: 20, maxBackoffMs: 20, maxRestarts: 1 } })]);
    await t.waitState('crasher', 'crashloop');
    const starts = (): number => t?.transitions('crasher').filter((s) => s === 'starting').length ?? 0;
    const startsBefore = starts();
    const after = await t.supervisor.startUnit('crasher');
    expect(['ready', 'backoff', 'crashloop']).toContain(after.state);
    const again = await t.waitUnit('crasher', 'crashloop again', (s) => s.state === 'crashloop' && starts() === startsBefore + 2);
    expect(again.restarts).toBe(1);
  });

  it('never: an exited unit stays stopped with its exit code; on-failure: a clean exit is not restarted', async () => {
    t = startTestSupervisor([
      nodeUnit('never', 'unit-crash.mjs', { args: ['7'], restart: { policy: 'never' } }),
      nodeUnit('clean', 'unit-crash-after.mjs', { args: ['0.1', '0'], restart: { policy: 'on-failure', backoffMs: 20 } }),
    ]);
    const never = await t.waitState('never', 'stopped');
    expect(never.exitCode).toBe(7);
    expect(never.error).toBe('exited with code 7');
    expect(never.restarts).toBe(0);
    const clean = await t.waitState('clean', 'stopped');
    expect(clean.exitCode).toBe(0);
    expect(clean.error).toBeNull();
    expect(clean.restarts).toBe(0);
  });

  it('always: even a clean exit is restarted', async () => {
    t = startTestSupervisor([nodeUnit('job', 'unit-crash-after.mjs', { args: ['0.1', '0'], restart: { policy: 'always', backoffMs: 20, maxBackoffMs: 20 } })]);
    const s = await t.waitUnit('job', 'restarted twice', (u) => u.restarts >= 2);
    expect(s.exitCode).toBe(0);
  });

  it('a unit killed by a signal is a failure and records the signal', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'], restart: { backoffMs: 20 } })]);
    const first = await t.waitState('s', 'ready');
    process.kill(first.pid as number, 'SIGKILL');
    const second = await t.waitUnit('s', 'restarted', (u) => u.state === 'ready' && u.pid !== first.pid);
    expect(second.restarts).toBe(1);
    expect(second.exitSignal).toBe('SIGKILL');
    expect(second.exitCode).toBeNull();
    expect(second.error).toBe('killed by SIGKILL');
    expect(isAlive(first.pid as number)).toBe(false);
  });

  it('restarts a unit that was up for a while at once, and backs off for a quick failure after that', async () => {
    // Threshold max(1 s, backoff) = 3 s: long enough that the second kill below is surely a quick failure.
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'], restart: { backoffMs: 3000, maxBackoffMs: 60_000 } })]);
    const first = await t.waitState('s', 'ready');
    await waitFor('s up for 3 s', () => Date.now() - (t?.supervisor.getUnit('s').since ?? Date.now()) >= 3100, { timeoutMs: 30_000 });
    process.kill(first.pid as number, 'SIGKILL');
    const second = await t.waitUnit('s', 'restarted', (u) => u.state === 'ready' && u.pid !== first.pid);
    expect(second.restarts).toBe(1);
    expect(announcedDelays(t, 's')).toEqual([]);
    expect(t.lines.some((l) => l.unit === 's' && /^killed by SIGKILL after [\d.]+s up; restarting now$/.test(l.line))).toBe(true);
    // Killed again right away: a quick failure, so the backoff applies.
    process.kill(second.pid as number, 'SIGKILL');
    await t.waitState('s', 'backoff');
    expect(announcedDelays(t, 's')).toEqual([3000]);
  });

  it('resets the backoff once a unit stayed ready for reset_after', async () => {
    // Runs 0.4s per life, reset_after 0.1s: every restart waits the initial backoff again. A shell, not
    // Node: a life must stay under the 1 s after which a restart is immediate, and Node alone may take
    // most of that to start on a loaded machine.
    t = startTestSupervisor([
      makeUnitSpec({ name: 'flaky', command: 'sh', args: ['-c', 'sleep 0.4; exit 1'], restart: { backoffMs: 100, maxBackoffMs: 60_000, maxRestarts: 100, resetAfterMs: 100 } }),
    ]);
    await t.waitUnit('flaky', 'three restarts', (u) => u.restarts >= 3);
    const delays = announcedDelays(t, 'flaky');
    expect(delays.length).toBeGreaterThanOrEqual(3);
    expect(delays.slice(0, 3)).toEqual([100, 100, 100]);
  });

  it('a crash-looping unit waits on one timer: no process exists while it backs off', async () => {
    t = startTestSupervisor([nodeUnit('slow', 'unit-crash.mjs', { restart: { backoffMs: 60_000, maxBackoffMs: 60_000 } })]);
    const s = await t.waitState('slow', 'backoff');
    expect(s.pid).toBeNull();
    expect(announcedDelays(t, 'slow')).toEqual([60_000]);
    // Stopping a unit in backoff cancels the restart.
    const stopped = await t.supervisor.stopUnit('slow');
    expect(stopped.state).toBe('stopped');
    expect(stopped.stoppedByOperator).toBe(true);
    await waitFor('no restart', () => t?.supervisor.getUnit('slow').state === 'stopped');
  });
});

describe('fixture sanity', () => {
  it('uses real fixture files', () => {
    expect(fixture('unit-crash.mjs')).toMatch(/test\/fixtures\/unit-crash\.mjs$/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { fixture, makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('dependencies', () => {
  it('starts a unit only after everything it depends on is ready, and stops in reverse order', async () => {
    // db becomes ready over NOTIFY_SOCKET (a bash script with socat); api needs db; web needs api.
    t = startTestSupervisor([
      makeUnitSpec({ name: 'web', command: 'sleep', args: ['1000'], dependsOn: ['api'] }),
      nodeUnit('api', 'unit-ready.mjs', { readiness: 'notify', dependsOn: ['db'] }),
      makeUnitSpec({ name: 'db', command: fixture('notify-ready.sh'), readiness: 'notify' }),
    ]);
    await t.waitState('web', 'ready');
    const order = (state: 'starting' | 'ready' | 'stopped', unit: string) => t?.firstEvent(unit, state) ?? -1;
    expect(order('ready', 'db')).toBeLessThan(order('starting', 'api'));
    expect(order('ready', 'api')).toBeLessThan(order('starting', 'web'));
    // While db was not ready, api was pending and said why.
    const pendingApi = t.events.find((e) => e.name === 'api' && e.state === 'pending' && e.error);
    expect(pendingApi?.error).toMatch(/^waiting for db \((pending|starting)\)$/);

    await t.supervisor.shutdown();
    expect(order('stopped', 'web')).toBeLessThan(t.firstEvent('api', 'stopping'));
    expect(order('stopped', 'api')).toBeLessThan(t.firstEvent('db', 'stopping'));
    expect(t.supervisor.listUnits().map((u) => u.state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('starts independent units in parallel', async () => {
    // Neither "slow" unit becomes ready on its own: both must be starting at the same time.
    t = startTestSupervisor([
      nodeUnit('a', 'unit-ready.mjs', { readiness: 'notify', args: ['--no-notify'] }),
      nodeUnit('b', 'unit-ready.mjs', { readiness: 'notify', args: ['--no-notify'] }),
      nodeUnit('c', 'unit-ready.mjs', { readiness: 'notify', args: ['--no-notify'] }),
    ]);
    const running = (s: { state: string; pid: number | null }) => s.state === 'starting' && s.pid !== null;
    for (const name of ['a', 'b', 'c']) await t.waitUnit(name, 'starting with a pid', running);
    const all = t.supervisor.listUnits();
    expect(all.every((u) => u.state === 'starting' && u.pid !== null)).toBe(true);
    t.supervisor.markReady('b');
    await t.waitState('b', 'ready');
    expect(t.supervisor.getUnit('a').state).toBe('starting');
  });

  it('keeps a unit pending, with the reason, while its dependency never became ready', async () => {
    t = startTestSupervisor([
      makeUnitSpec({ name: 'db', command: fixture('unit-crash.mjs'), kind: 'node', readiness: 'notify', restart: { policy: 'never' } }),
      makeUnitSpec({ name: 'api', command: 'sleep', args: ['1000'], dependsOn: ['db'] }),
    ]);
    await t.waitState('db', 'stopped');
    const api = await t.waitState('api', 'pending');
    expect(api.error).toBe('waiting for db (stopped)');
    expect(api.pid).toBeNull();
    expect(t.events.some((e) => e.name === 'api' && e.state === 'starting')).toBe(false);
  });

  it('a pending unit starts once its dependency becomes ready', async () => {
    t = startTestSupervisor([
      nodeUnit('db', 'unit-ready.mjs', { readiness: 'notify', args: ['--no-notify'] }),
      makeUnitSpec({ name: 'api', command: 'sleep', args: ['1000'], dependsOn: ['db'] }),
    ]);
    await t.waitUnit('db', 'starting with a pid', (s) => s.state === 'starting' && s.pid !== null);
    expect((await t.waitState('api', 'pending')).error).toBe('waiting for db (starting)');
    t.supervisor.markReady('db');
    const api = await t.waitState('api', 'ready');
    expect(api.error).toBeNull();
  });
});

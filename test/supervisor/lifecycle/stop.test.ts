import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { groupPids, isAlive } from '../../helpers/processes.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { waitFor } from '../../helpers/wait-for.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** True when 127.0.0.1:`port` can be bound again (nobody holds it). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function grandchildInfo(t: TestSupervisor, unit: string): { unit: number; grandchild: number; port: number } | null {
  try {
    return JSON.parse(readFileSync(join(t.home.paths.unitStateDir(unit), 'grandchild.json'), 'utf8'));
  } catch {
    return null;
  }
}

describe('stopping units', () => {
  it('sends the stop signal to the process group and escalates to SIGKILL; nothing of the tree survives, the port is free', async () => {
    t = startTestSupervisor([nodeUnit('stubborn', 'unit-grandchild.mjs', { args: ['--ignore-term'], stop: { timeoutMs: 500 } })]);
    await t.waitState('stubborn', 'ready');
    const tree = await waitFor('grandchild.json', () => grandchildInfo(t as TestSupervisor, 'stubborn'));
    expect(groupPids(tree.unit).sort()).toEqual([tree.unit, tree.grandchild].sort());
    expect(await portFree(tree.port)).toBe(false);

    const stopped = await t.supervisor.stopUnit('stubborn');
    expect(stopped.state).toBe('stopped');
    expect(stopped.exitSignal).toBe('SIGKILL');
    expect(stopped.stoppedByOperator).toBe(true);
    // stopUnit resolved only after the whole group was gone.
    expect(isAlive(tree.unit)).toBe(false);
    expect(isAlive(tree.grandchild)).toBe(false);
    expect(groupPids(tree.unit)).toEqual([]);
    expect(await portFree(tree.port)).toBe(true);
    expect(t.lines.filter((l) => l.unit === 'stubborn' && l.line === 'ignoring SIGTERM')).toHaveLength(1);
  });

  it('a graceful unit exits on its stop signal with code 0', async () => {
    t = startTestSupervisor([nodeUnit('nice', 'unit-ready.mjs', { readiness: 'notify', stop: { signal: 'SIGTERM', timeoutMs: 30_000 } })]);
    await t.waitState('nice', 'ready');
    const stopped = await t.supervisor.stopUnit('nice');
    expect(stopped.exitCode).toBe(0);
    expect(stopped.exitSignal).toBeNull();
    expect(t.lines.some((l) => l.unit === 'nice' && l.line === 'got SIGTERM, exiting')).toBe(true);
  });

  it('uses the configured stop signal', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'], stop: { signal: 'SIGINT', timeoutMs: 30_000 } })]);
    await t.waitState('s', 'ready');
    expect((await t.supervisor.stopUnit('s')).exitSignal).toBe('SIGINT');
  });

  it('when the main process exits, leftovers of its group are killed before the restart', async () => {
    t = startTestSupervisor([nodeUnit('leaky', 'unit-grandchild.mjs', { args: ['--exit-after', '0.3'], stop: { timeoutMs: 300 }, restart: { backoffMs: 20 } })]);
    const first = await waitFor('grandchild.json', () => grandchildInfo(t as TestSupervisor, 'leaky'));
    const next = await t.waitUnit('leaky', 'restarted', (s) => s.restarts === 1 && s.pid !== null);
    expect(isAlive(first.grandchild)).toBe(false);
    expect(next.exitCode).toBe(1);
    // The restart happened only after the old grandchild (ignoring SIGTERM) was gone: its port was free.
    const second = await waitFor('new grandchild.json', () => {
      const g = grandchildInfo(t as TestSupervisor, 'leaky');
      return g && g.unit !== first.unit ? g : null;
    });
    expect(second.grandchild).not.toBe(first.grandchild);
  });

  it('an operator stop keeps the unit down; start and restart bring it back with a new pid', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'] })]);
    const first = await t.waitState('s', 'ready');
    await t.supervisor.stopUnit('s');
    expect(t.supervisor.getUnit('s')).toMatchObject({ state: 'stopped', pid: null, stoppedByOperator: true });
    const started = await t.supervisor.startUnit('s');
    expect(started).toMatchObject({ state: 'ready', stoppedByOperator: false });
    expect(started.pid).not.toBe(first.pid);
    const restarted = await t.supervisor.restartUnit('s');
    expect(restarted.state).toBe('ready');
    expect(restarted.pid).not.toBe(started.pid);
    expect(isAlive(started.pid as number)).toBe(false);
    await expect(t.supervisor.stopUnit('nope')).rejects.toMatchObject({ code: 'ENS_E_UNIT_NOT_FOUND' });
  });

  it('adds and removes units at run time', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 'base', command: 'sleep', args: ['1000'] })]);
    await t.waitState('base', 'ready');
    const added = await t.supervisor.addUnit(makeUnitSpec({ name: 'extra', command: 'sleep', args: ['1000'], dependsOn: ['base'] }));
    expect(added.state).toBe('ready');
    await expect(t.supervisor.addUnit(makeUnitSpec({ name: 'extra' }))).rejects.toMatchObject({ code: 'ENS_E_INVALID_ARGUMENT' });
    await expect(t.supervisor.addUnit(makeUnitSpec({ name: 'x', dependsOn: ['ghost'] }))).rejects.toMatchObject({ code: 'ENS_E_INVALID_ARGUMENT' });
    await t.supervisor.removeUnit('extra');
    expect(isAlive(added.pid as number)).toBe(false);
    expect(t.supervisor.listUnits().map((u) => u.name)).toEqual(['base']);
    expect(t.supervisor.plan.units.map((u) => u.name)).toEqual(['base']);
  });

  it('shutdown stops everything, failed units keep their reason, and further starts are refused', async () => {
    t = startTestSupervisor([makeUnitSpec({ name: 's', command: 'sleep', args: ['1000'] }), makeUnitSpec({ name: 'bad', command: 'no-such-program-ensemble' })]);
    const s = await t.waitState('s', 'ready');
    await t.waitState('bad', 'failed');
    await t.supervisor.shutdown();
    expect(isAlive(s.pid as number)).toBe(false);
    expect(t.supervisor.getUnit('bad').state).toBe('failed');
    expect(t.supervisor.status().state).toBe('stopped');
    await expect(t.supervisor.startUnit('s')).rejects.toMatchObject({ code: 'ENS_E_STATE' });
    await expect(t.supervisor.reload()).rejects.toMatchObject({ code: 'ENS_E_STATE' });
  });
});

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

// The SDK's typed clients (unit.store(), unit.events(), unit.resourcesOf()) in a real
// unit, against the real built-in store and events units under a real supervisor.
const FIXTURE = join(dirname(dirname(fileURLToPath(import.meta.url))), 'fixtures', 'sdk', 'typed-clients.mjs');

const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

async function start(text: string): Promise<EnsembleRun> {
  const run = await runEnsemble(text);
  runs.push(run);
  await run.waitAllReady(120_000);
  return run;
}

/** The `result NAME JSON` lines the fixture unit `unit` printed, by name. */
function results(run: EnsembleRun, unit: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of run.output().split('\n')) {
    let entry: { unit?: string; msg?: string; line?: string };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    const text = entry.msg ?? entry.line ?? '';
    const m = /^result (\S+) (.*)$/.exec(text);
    if (m && entry.unit === unit) out[m[1]!] = JSON.parse(m[2]!);
  }
  return out;
}

const user = (name: string, props: string, deps: string) =>
  `runner ${name} "${FIXTURE}" {\n  readiness: notify\n  depends_on: [${deps}]\n  properties { ${props} }\n}\n`;

describe('SDK typed clients of the built-in services', { timeout: 150_000 }, () => {
  it('unit.store(): set, get, history, list, typed errors, and watch of the current value then changes', async () => {
    const run = await start(`runner store "${unitMain('store')}" {\n  readiness: notify\n}\n` + user('thermo', 'mode: "store"', 'store'));
    const r = results(run, 'thermo');
    expect(r.done).toBe('thermo');
    expect(r.set).toMatchObject({ key: 'room/temp', value: 20.5, unit: 'C' });
    expect((r.set as { timeMs: number }).timeMs).toBeGreaterThan(0);
    expect(r.get).toMatchObject({ key: 'room/temp', value: 21, unit: 'C' });
    expect((r.history as { history: { value: number }[] }).history.map((m) => m.value)).toEqual([20.5, 21]);
    expect(r.list).toEqual([
      ['room/door', true],
      ['room/temp', 21],
    ]);
    expect(r['wrong-type']).toMatchObject({ code: 'ENS_E_INVALID_ARGUMENT', isEnsembleError: true });
    expect((r['wrong-type'] as { message: string }).message).toContain('holds a number');
    expect(r.missing).toMatchObject({ code: 'ENS_E_PATH_NOT_FOUND', message: 'no key "nothing" in the store' });
    expect(r.watch).toEqual([21, 22, 23]);
    // What the client wrote is the store's: its resource shows it.
    expect(await (await run.resources('store')).read('room/temp')).toBe('23');
  });

  it('unit.events(): subscribe by wildcard, publish with the unit identity (publisher stamped), a bad topic refused', async () => {
    const run = await start(`runner events "${unitMain('events')}" {\n  readiness: notify\n}\n` + user('watcher', 'mode: "events"', 'events'));
    const r = results(run, 'watcher');
    expect(r.done).toBe('watcher');
    expect(r.publish).toEqual({ sequence: 1, delivered: 1 });
    expect(r.received).toEqual([
      { topic: 'alerts/memory', payload: '{"used":91}', publisher: 'watcher', sequence: 1 },
      { topic: 'alerts/disk', payload: 'full', publisher: 'watcher', sequence: 3 },
    ]);
    expect(r['bad-topic']).toMatchObject({ code: 'ENS_E_INVALID_ARGUMENT', isEnsembleError: true });
  });

  it("unit.resourcesOf(peer): list, read, watch, write another unit's resources; refusals keep the unit's code", async () => {
    const run = await start(`runner plant "${FIXTURE}" {\n  readiness: notify\n}\n` + user('panel', 'peer: "plant"', 'plant'));
    const r = results(run, 'panel');
    expect(r.done).toBe('panel');
    expect(r['peer-list']).toEqual([{ path: 'setpoint', readable: true, writable: true, watchable: true, description: 'wanted value' }]);
    expect(r['peer-read']).toBe('20');
    expect(r['peer-watch']).toEqual(['20', '25']);
    expect(r['peer-read-after']).toBe('25');
    expect(r['peer-refused']).toMatchObject({ code: 'ENS_E_INVALID_ARGUMENT' });
    expect((r['peer-refused'] as { message: string }).message).toContain('setpoint must be a number');
    expect(r['peer-missing']).toMatchObject({ code: 'ENS_E_PATH_NOT_FOUND', message: 'no resource "nothing"' });
    expect(await (await run.resources('plant')).read('setpoint')).toBe('25');
  });
});

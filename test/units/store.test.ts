import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { call, runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

type Measure = { key: string; value: { kind: string; number?: number; text?: string; boolean?: boolean }; unit: string; timeMs: number };

const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

async function startStore(properties: string): Promise<{ run: EnsembleRun; store: grpc.Client }> {
  const run = await runEnsemble(`runner store "${unitMain('store')}" {\n  readiness: notify\n  properties { ${properties} }\n}\n`);
  runs.push(run);
  await run.waitAllReady();
  const store = await run.serviceClient('ensemble.store.v1.Store', loadUnitProtos().Store);
  return { run, store };
}

function errorOf(p: Promise<unknown>): Promise<grpc.ServiceError> {
  return p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: grpc.ServiceError) => e,
  );
}

describe('@ensemble/store', () => {
  it('stores typed measures with unit and time, keeps a bounded history and lists by prefix', async () => {
    const { store } = await startStore('history: 3');
    const before = Date.now();
    const set = await call<{ measure: Measure }>(store, 'Set', { key: 'room/temp', value: { number: 20.5 }, unit: 'C' });
    expect(set.measure.value).toMatchObject({ kind: 'number', number: 20.5 });
    expect(set.measure.unit).toBe('C');
    expect(set.measure.timeMs).toBeGreaterThanOrEqual(before - 1000);
    for (const v of [21, 22, 23, 24]) await call(store, 'Set', { key: 'room/temp', value: { number: v } });
    await call(store, 'Set', { key: 'room/door', value: { boolean: true } });
    await call(store, 'Set', { key: 'mode', value: { text: 'eco' } });

    const got = await call<{ measure: Measure; history: Measure[] }>(store, 'Get', { key: 'room/temp', history: 10 });
    expect(got.measure.value.number).toBe(24);
    expect(got.measure.unit).toBe('C'); // kept from the first Set
    expect(got.history.map((m) => m.value.number)).toEqual([22, 23, 24]);

    const listed = await call<{ measures: Measure[] }>(store, 'List', { prefix: 'room' });
    expect(listed.measures.map((m) => m.key)).toEqual(['room/door', 'room/temp']);
    expect((await call<{ measures: Measure[] }>(store, 'List', { prefix: '' })).measures).toHaveLength(3);
  });

  it('rejects a value of another type, an invalid key, an undeclared key when strict, and an unknown key on Get', async () => {
    const { store } = await startStore('strict: true  keys { setpoint { type: "number"  unit: "C"  default: 21 } }');
    const wrongType = await errorOf(call(store, 'Set', { key: 'setpoint', value: { text: 'warm' } }));
    expect(wrongType.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(wrongType.details).toContain('holds a number');
    const undeclared = await errorOf(call(store, 'Set', { key: 'other', value: { number: 1 } }));
    expect(undeclared.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(undeclared.details).toContain('not declared');
    const badKey = await errorOf(call(store, 'Set', { key: '../etc', value: { number: 1 } }));
    expect(badKey.code).toBe(grpc.status.INVALID_ARGUMENT);
    const missing = await errorOf(call(store, 'Get', { key: 'nothing', history: 0 }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    const declared = await call<{ measure: Measure }>(store, 'Get', { key: 'setpoint', history: 0 });
    expect(declared.measure).toMatchObject({ key: 'setpoint', unit: 'C', value: { number: 21 } });
  });

  it('shows every key as a resource: read, write (typed), and writes reach Watch subscribers', async () => {
    const { run, store } = await startStore('keys { setpoint { type: "number"  default: 21 } }');
    await call(store, 'Set', { key: 'lab/humidity', value: { number: 40 }, unit: '%' });
    const res = await run.resources('store');
    await expect.poll(async () => (await res.list()).map((r) => r.path)).toEqual(['lab/humidity', 'setpoint']);
    expect(await res.read('setpoint')).toBe('21');
    expect(await res.read('lab/humidity')).toBe('40');

    const seen: Measure[] = [];
    const watch = (store as unknown as { Watch(req: object): grpc.ClientReadableStream<{ measure: Measure }> }).Watch({ keys: ['setpoint'], prefix: '' });
    watch.on('data', (m: { measure: Measure }) => seen.push(m.measure));
    watch.on('error', () => undefined);
    await expect.poll(() => seen.length).toBe(1); // the current value first

    await res.write('setpoint', '22.5');
    await expect.poll(() => seen.map((m) => m.value.number)).toEqual([21, 22.5]);
    const refused = await res.write('setpoint', 'warm').then(
      () => null,
      (e: grpc.ServiceError) => e,
    );
    expect(refused?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call<{ measure: Measure }>(store, 'Get', { key: 'setpoint', history: 0 })).measure.value.number).toBe(22.5);
    watch.cancel();
  });

  it('persists atomically and restores values after a restart', async () => {
    const { run, store } = await startStore('persist: "store.json"  save_delay: "10ms"');
    await call(store, 'Set', { key: 'counter', value: { number: 7 }, unit: 'n' });
    await call(store, 'Set', { key: 'label', value: { text: 'hello' } });
    const file = join(run.home.paths.unitStateDir('store'), 'store.json');
    await expect.poll(() => (existsSync(file) ? readFileSync(file, 'utf8') : ''), { timeout: 20_000 }).toContain('hello');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, unknown> };
    expect(Object.keys(saved.keys).sort()).toEqual(['counter', 'label']);

    await run.client.control('restart', 'store');
    await run.waitUnit('store', 'ready again', (u) => u.state === 'ready' && u.restarts >= 0);
    const again = await run.serviceClient('ensemble.store.v1.Store', loadUnitProtos().Store);
    await expect
      .poll(async () => (await call<{ measure: Measure }>(again, 'Get', { key: 'counter', history: 0 }).catch(() => null))?.measure.value.number, { timeout: 30_000 })
      .toBe(7);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWat } from '../../units/wasm-host/build-wat.js';
import { ROOT, runEnsemble, type EnsembleRun } from '../helpers/run-ensemble.js';

const WASM = join(ROOT, 'test', 'fixtures', 'wasm');
const runs: EnsembleRun[] = [];

beforeAll(async () => {
  await buildWat([WASM]);
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

describe('@ensemble/wasm-host', () => {
  it('runs a WASI module: stdout captured, property read, resources published and written, state directory preopened, ticks', async () => {
    const run = await runEnsemble(`
runner fw "${WASM}/firmware.wasm" {
  readiness: notify
  properties { greeting: "hi there"  interval: "100ms" }
}
`);
    runs.push(run);
    await run.waitAllReady();
    await run.waitOutput('hello from wasm');
    const res = await run.resources('fw');
    expect(await res.read('greeting')).toBe('hi there');
    const first = Number(await res.read('counter'));
    await expect.poll(async () => Number(await res.read('counter')), { timeout: 20_000 }).toBeGreaterThan(first);

    const listed = await res.list();
    expect(listed.find((r) => r.path === 'setpoint')).toMatchObject({ readable: true, writable: true });
    expect(await res.read('setpoint')).toBe('20');
    await res.write('setpoint', '25');
    expect(await res.read('setpoint')).toBe('25');
    const refused = await res.write('setpoint', '').then(
      () => null,
      (e: grpc.ServiceError) => e,
    );
    expect(refused?.details).toContain('refused');
    expect(await res.read('setpoint')).toBe('25');

    expect(readFileSync(join(run.home.paths.unitStateDir('fw'), 'boot.txt'), 'utf8')).toBe('booted\n');
  });

  it('ends like a native program when a command module exits, with its exit code and stderr captured', async () => {
    const run = await runEnsemble(`
runner once "${WASM}/exit-code.wasm" {
  restart { policy: "never" }
}
`);
    runs.push(run);
    const unit = await run.waitUnit('once', 'exited', (u) => u.exitCode === 3);
    expect(['stopped', 'failed']).toContain(unit.state);
    await run.waitOutput('failing on purpose');
  });
});

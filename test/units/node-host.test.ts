import type * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { call, ROOT, runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

const FIXTURE = `${ROOT}/test/fixtures/units/hosted-unit.ts`;
const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

async function start(hostBody: string): Promise<EnsembleRun> {
  const run = await runEnsemble(`
runner host "${unitMain('node-host')}" {
  readiness: notify
${hostBody}
}
`);
  runs.push(run);
  return run;
}

describe('@ensemble/node-host', () => {
  it('runs each child in one process with its own name, properties, services, resources and readiness', async () => {
    const run = await start(`
  service runner alpha "${FIXTURE}" { properties { greeting: "hello from alpha" } }
  service runner beta "${FIXTURE}" { properties { greeting: "hello from beta" } }
`);
    await run.waitAllReady();
    const res = await run.resources('host');
    const paths = (await res.list()).map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['alpha/count', 'alpha/greeting', 'beta/count', 'beta/greeting', 'children/alpha/state', 'children/beta/state']));
    expect(await res.read('alpha/greeting')).toBe('hello from alpha');
    expect(await res.read('beta/greeting')).toBe('hello from beta');
    await res.write('alpha/count', '5');
    expect(await res.read('alpha/count')).toBe('5');
    expect(await res.read('beta/count')).toBe('0'); // one module instance per child
    expect(await res.read('children/alpha/state')).toBe('ready');
    // A child's own error code reaches the caller through the host, not only its status.
    const refused = await res.read('alpha/calibration').then(
      () => null,
      (e: unknown) => e as grpc.ServiceError,
    );
    expect(refused).toMatchObject({ details: 'alpha is not calibrated' });
    expect(refused?.metadata.get('x-ensemble-error-code')).toEqual(['ENS_E_STATE']);

    // Services are registered in discovery under the child's name, owned by the host unit.
    const found = await run.client.find('beta');
    expect(found).toMatchObject({ unit: 'host', family: 'ensemble.store.v1.Store' });
    const beta = await run.serviceClient('beta', loadUnitProtos().Store);
    expect((await call<{ measure: { key: string } }>(beta, 'Get', { key: 'x', history: 0 })).measure.key).toBe('beta');
    // A single OS process.
    const units = await run.client.listUnits();
    expect(units).toHaveLength(1);

    // Stopping runs every child's shutdown and ends the host cleanly.
    const stopped = await run.client.control('stop', 'host');
    expect(stopped.state).toBe('stopped');
    expect(stopped.exitCode ?? 0).toBe(0);
    await expect.poll(() => run.client.find('alpha').then(() => 'found', () => 'gone')).toBe('gone');
  });

  it('a hosted child proves its identity to another unit in the host\'s name', async () => {
    const run = await runEnsemble(`
runner events "${unitMain('events')}" { readiness: notify }
runner host "${unitMain('node-host')}" {
  readiness: notify
  depends_on: [events]
  service runner pub "${ROOT}/test/fixtures/events/publisher.ts" { properties { topic: "hosted/pub" } }
}
`);
    runs.push(run);
    await run.waitAllReady();
    const events = await run.serviceClient('ensemble.events.v1.Events', loadUnitProtos().Events);
    const received: { publisher: string; topic: string }[] = [];
    const stream = (events as unknown as { Subscribe(r: object): grpc.ClientReadableStream<{ event: { publisher: string; topic: string } }> }).Subscribe({ filters: ['#'] });
    stream.on('data', (m: { event: { publisher: string; topic: string } }) => received.push(m.event));
    stream.on('error', () => undefined);
    try {
      await expect.poll(async () => (await run.resources('events')).read('subscribers'), { timeout: 30_000 }).toBe('1');
      await (await run.resources('host')).write('pub/publish', '2');
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(2);
      expect(received.map((e) => [e.publisher, e.topic])).toEqual([['host', 'hosted/pub'], ['host', 'hosted/pub']]);
      expect(await (await run.resources('host')).read('pub/published')).toBe('2');
    } finally {
      stream.cancel();
    }
  });

  it('isolate: a child that throws later is reported and marked failed, its services leave discovery, siblings run on', async () => {
    const run = await start(`
  properties { on_child_failure: "isolate" }
  service runner good "${FIXTURE}" { properties { greeting: "still here" } }
  service runner bad "${FIXTURE}" { properties { fail: "later" } }
`);
    await run.waitAllReady();
    await run.waitOutput('hosted unit bad failed: bad broke after start');
    const res = await run.resources('host');
    await expect.poll(() => res.read('children/bad/state')).toBe('failed');
    expect(await res.read('children/bad/error')).toContain('bad broke after start');
    await expect.poll(() => run.client.find('bad').then(() => 'found', () => 'gone')).toBe('gone');
    expect(await res.read('good/greeting')).toBe('still here');
    const host = await run.client.getUnit('host');
    expect(host.state).toBe('ready');
    expect(host.restarts).toBe(0);
  });

  it('exit (default): a child that throws while loading stops the host with code 1, reported in its log', async () => {
    const run = await start(`
  restart { policy: "never" }
  service runner good "${FIXTURE}" {}
  service runner bad "${FIXTURE}" { properties { fail: "load" } }
`);
    const unit = await run.waitUnit('host', 'exited', (u) => u.exitCode === 1);
    expect(['stopped', 'failed']).toContain(unit.state);
    await run.waitOutput('hosted unit bad failed: bad refuses to load');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTITY_HEADER } from '../../src/api/identity-assertion.js';
import { TOKEN_HEADER } from '../../src/api/token.js';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { call, ROOT, runEnsemble, type EnsembleRun } from '../helpers/run-ensemble.js';

interface Event {
  topic: string;
  publisher: string;
  sequence: number;
}

const runs: EnsembleRun[] = [];
const dirs: TempDir[] = [];
afterEach(async () => {
  try {
    await Promise.all(runs.splice(0).map((r) => r.stop()));
  } finally {
    for (const d of dirs.splice(0)) d.cleanup();
  }
});

/** events (the real unit, its calls recorded to spy.jsonl) and two publishers. */
async function start(): Promise<{ run: EnsembleRun; events: grpc.Client; spyFile: string }> {
  const publisher = (name: string, topic: string) => `
runner ${name} "${ROOT}/test/fixtures/events/publisher.ts" {
  readiness: notify
  depends_on: [events]
  properties { topic: "${topic}" }
}`;
  const text = `
runner events "${ROOT}/test/fixtures/events/events-spy.ts" {
  readiness: notify
  env { EVENTS_SPY_FILE: "{{ env.SPY_FILE }}" }
}
${publisher('kitchen', 'sensors/kitchen/temp')}
${publisher('garage', 'sensors/garage/temp')}
`;
  const spyDir = makeTempDir('ens-spy-');
  dirs.push(spyDir);
  const spyFile = join(spyDir.dir, 'spy.jsonl');
  const run = await runEnsemble(text, { env: { SPY_FILE: spyFile } });
  runs.push(run);
  await run.waitAllReady();
  return { run, events: await run.serviceClient('ensemble.events.v1.Events', loadUnitProtos().Events), spyFile };
}

/** The ENSEMBLE_TOKEN a running unit received (read from /proc, as a snooping observer would). */
async function tokenOf(run: EnsembleRun, unit: string): Promise<string> {
  const { pid } = await run.client.getUnit(unit);
  const line = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('ENSEMBLE_TOKEN='));
  if (!line) throw new Error(`unit ${unit} has no ENSEMBLE_TOKEN`);
  return line.slice('ENSEMBLE_TOKEN='.length);
}

/** An assertion of `unit` (a publisher fixture) for `audience`, valid `ttlMs`. */
async function assertionOf(run: EnsembleRun, unit: string, audience: string, ttlMs = 0): Promise<string> {
  const r = await run.resources(unit);
  await r.write('request', `${audience} ${ttlMs}`);
  return r.read('assertion');
}

function publishAs(events: grpc.Client, headers: Record<string, string>): Promise<grpc.ServiceError | { sequence: number }> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(headers)) md.set(k, v);
  return call<{ sequence: number }>(events, 'Publish', { topic: 'sensors/x/temp', payload: 'forged' }, md).catch((e: grpc.ServiceError) => e);
}

function subscribe(events: grpc.Client): { received: Event[]; stream: grpc.ClientReadableStream<{ event: Event }> } {
  const received: Event[] = [];
  const stream = (events as unknown as { Subscribe(r: object): grpc.ClientReadableStream<{ event: Event }> }).Subscribe({ filters: ['#'] });
  stream.on('data', (m: { event: Event }) => received.push(m.event));
  stream.on('error', () => undefined);
  return { received, stream };
}

describe('@ensemble/events publisher identity', () => {
  it('stamps each event with its publisher\'s unit name, and the events unit never sees a publisher\'s ENSEMBLE_TOKEN', async () => {
    const { run, events, spyFile } = await start();
    const all = subscribe(events);
    await expect.poll(async () => (await run.resources('events')).read('subscribers'), { timeout: 30_000 }).toBe('1');
    await (await run.resources('kitchen')).write('publish', '3');
    await (await run.resources('garage')).write('publish', '2');
    await expect.poll(() => all.received.length, { timeout: 30_000 }).toBe(5);
    const by = (unit: string) => all.received.filter((e) => e.publisher === unit);
    expect(by('kitchen').map((e) => [e.topic, e.sequence])).toEqual([['sensors/kitchen/temp', 1], ['sensors/kitchen/temp', 2], ['sensors/kitchen/temp', 3]]);
    expect(by('garage').map((e) => [e.topic, e.sequence])).toEqual([['sensors/garage/temp', 1], ['sensors/garage/temp', 2]]);
    all.stream.cancel();

    // What the events unit received: an assertion on every Publish, and no token anywhere.
    const seen = readFileSync(spyFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { method: string; metadata: Record<string, unknown[]> });
    const publishes = seen.filter((c) => c.method === 'Publish');
    expect(publishes.length).toBe(5);
    for (const c of publishes) expect(c.metadata[IDENTITY_HEADER]).toEqual([expect.stringMatching(/^ens1\./)]);
    const tokens = [await tokenOf(run, 'kitchen'), await tokenOf(run, 'garage')];
    for (const c of seen) {
      expect(Object.keys(c.metadata)).not.toContain(TOKEN_HEADER);
      const text = JSON.stringify(c.metadata);
      for (const t of tokens) expect(text.includes(t)).toBe(false);
    }
  });

  it('refuses a token, an assertion for another audience, a tampered one and an expired one', async () => {
    const { run, events } = await start();
    const all = subscribe(events);
    await expect.poll(async () => (await run.resources('events')).read('subscribers'), { timeout: 30_000 }).toBe('1');

    // The old way: a publisher's own token is no credential for the events unit.
    const token = await publishAs(events, { [TOKEN_HEADER]: await tokenOf(run, 'kitchen') });
    expect((token as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);

    // An assertion kitchen got for the store cannot be used at the events unit.
    const forStore = await publishAs(events, { [IDENTITY_HEADER]: await assertionOf(run, 'kitchen', 'store') });
    expect((forStore as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((forStore as grpc.ServiceError).details).toMatch(/audience "store", not "events"/);

    // Tampered: garage's genuine assertion with its claims changed to name kitchen.
    const genuine = await assertionOf(run, 'garage', 'events');
    const [format, claims, mac] = genuine.split('.') as [string, string, string];
    const renamed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')), sub: 'kitchen' })).toString('base64url');
    const tampered = await publishAs(events, { [IDENTITY_HEADER]: `${format}.${renamed}.${mac}` });
    expect((tampered as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);

    // Expired: a 300 ms assertion presented after its expiry.
    const short = await assertionOf(run, 'kitchen', 'events', 300);
    const exp = Number((JSON.parse(Buffer.from(short.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number }).exp);
    await waitFor('the short assertion to expire', () => Date.now() > exp + 50, { timeoutMs: 10_000 });
    const expired = await publishAs(events, { [IDENTITY_HEADER]: short });
    expect((expired as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    expect((expired as grpc.ServiceError).details).toMatch(/expired/);

    // The genuine assertion works — and names garage, whoever presents it (replay within its audience and lifetime).
    const ok = await publishAs(events, { [IDENTITY_HEADER]: genuine });
    expect(ok).toMatchObject({ sequence: 1 });
    await expect.poll(() => all.received.map((e) => e.publisher), { timeout: 30_000 }).toEqual(['garage']);
    all.stream.cancel();
  });
});

import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTITY_HEADER } from '../../src/api/identity-assertion.js';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { call, ROOT, runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

interface Event {
  topic: string;
  payload: string;
  publisher: string;
  sequence: number;
  timeMs: number;
  dropped: number;
}

// The machine is shared and loaded: every wait is on a condition, with a generous deadline.
const POLL = { timeout: 60_000, interval: 50 };

const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

async function start(eventsProps: string): Promise<{ run: EnsembleRun; events: grpc.Client }> {
  const text = `
runner events "${unitMain('events')}" {
  readiness: notify
  properties { ${eventsProps} }
}
runner pub "${ROOT}/test/fixtures/events/publisher.ts" {
  readiness: notify
  depends_on: [events]
  properties { topic: "sensors/kitchen/temp" }
}
`;
  const run = await runEnsemble(text);
  runs.push(run);
  await run.waitAllReady();
  return { run, events: await run.serviceClient('ensemble.events.v1.Events', loadUnitProtos().Events) };
}

function subscribe(events: grpc.Client, request: object): { received: Event[]; call: grpc.ClientReadableStream<{ event: Event }> } {
  const received: Event[] = [];
  const stream = (events as unknown as { Subscribe(r: object): grpc.ClientReadableStream<{ event: Event }> }).Subscribe(request);
  stream.on('data', (m: { event: Event }) => received.push(m.event));
  stream.on('error', () => undefined);
  return { received, call: stream };
}

describe('@ensemble/events', () => {
  it('routes by MQTT wildcards and stamps the publisher from its identity assertion with consecutive sequence numbers', async () => {
    const { run, events } = await start('queue: 100');
    const plus = subscribe(events, { filters: ['sensors/+/temp'] });
    const hash = subscribe(events, { filters: ['sensors/#'] });
    const other = subscribe(events, { filters: ['sensors/+/humidity', 'plant/#'] });
    await expect.poll(async () => (await run.resources('events')).read('subscribers'), POLL).toBe('3');

    await (await run.resources('pub')).write('publish', '5');
    await expect.poll(() => plus.received.length, POLL).toBe(5);
    await expect.poll(() => hash.received.length, POLL).toBe(5);
    expect(plus.received.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(plus.received.every((e) => e.publisher === 'pub' && e.topic === 'sensors/kitchen/temp' && e.dropped === 0)).toBe(true);
    expect(JSON.parse(plus.received[2]?.payload ?? '{}')).toMatchObject({ i: 2 });
    expect(other.received).toEqual([]);
    for (const s of [plus, hash, other]) s.call.cancel();
  });

  it('refuses publishers without an identity assertion or with a made-up one, and bad topics or filters', async () => {
    const { events } = await start('');
    const anonymous = await call(events, 'Publish', { topic: 'a/b', payload: 'x' }).catch((e: grpc.ServiceError) => e);
    expect((anonymous as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);
    const md = new grpc.Metadata();
    md.set(IDENTITY_HEADER, 'not-a-real-assertion');
    const forged = await call(events, 'Publish', { topic: 'a/b', payload: 'x' }, md).catch((e: grpc.ServiceError) => e);
    expect((forged as grpc.ServiceError).code).toBe(grpc.status.PERMISSION_DENIED);

    const bad = subscribe(events, { filters: ['a/#/b'] });
    const status = await new Promise<grpc.ServiceError>((resolve) => bad.call.on('error', resolve));
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('drops the oldest events of a subscriber that does not keep up, and says how many; a subscriber that keeps up loses nothing', async () => {
    const { run, events } = await start('queue: 4');
    const slow = subscribe(events, { filters: ['#'] });
    const reader = subscribe(events, { filters: ['#'] });
    await expect.poll(async () => (await run.resources('events')).read('subscribers'), POLL).toBe('2');
    slow.call.pause(); // stop reading: HTTP/2 flow control fills up and its queue overflows

    // The publisher goes at the pace of the reading subscriber, whatever the machine's load:
    // a burst of at most the queue's size (4) into its drained queue can never overflow it,
    // and the next burst waits until everything was received. The slow subscriber stays
    // paused all along (1.2 MB against a 64 KiB flow-control window), so its queue must drop.
    const pub = await run.resources('pub');
    const burst = 4;
    const total = 300;
    for (let sent = burst; sent <= total; sent += burst) {
      await pub.write('publish', `${burst} 4096`);
      await expect.poll(() => reader.received.length, POLL).toBe(sent);
    }
    expect(await pub.read('published')).toBe(String(total));
    // Publishing never waited for the paused subscriber, and the reader got every event, in order.
    expect(reader.received.map((e) => e.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(reader.received.every((e) => e.dropped === 0)).toBe(true);

    slow.call.resume();
    // It gets the newest events; everything it missed is accounted for.
    await expect.poll(() => slow.received.at(-1)?.sequence, POLL).toBe(total);
    const dropped = slow.received.reduce((n, e) => n + e.dropped, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(slow.received.length + dropped).toBe(total);
    for (let i = 1; i < slow.received.length; i++) {
      const [prev, cur] = [slow.received[i - 1] as Event, slow.received[i] as Event];
      expect(cur.sequence - prev.sequence - 1).toBe(cur.dropped);
    }
    expect(slow.received[0]?.sequence).toBe(1 + (slow.received[0]?.dropped ?? 0));
    slow.call.cancel();
    reader.call.cancel();
  });

  it('replays retained events to a subscriber that asks for them', async () => {
    const { run, events } = await start('retention: "10m"');
    const pub = await run.resources('pub');
    await pub.write('publish', '3');
    await expect.poll(() => pub.read('published'), POLL).toBe('3');
    const late = subscribe(events, { filters: ['sensors/#'], replay: true });
    await expect.poll(() => late.received.map((e) => e.sequence), POLL).toEqual([1, 2, 3]);
    late.call.cancel();
  });
});

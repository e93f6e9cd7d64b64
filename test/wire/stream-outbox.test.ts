import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProtos } from '../../src/wire/protos.js';
import { StreamOutbox } from '../../src/wire/stream-outbox.js';
import type { LogLineMessage, UnitMessage } from '../../src/api/supervisor-messages.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

// A real grpc-js server and client over a Unix socket in this process; the server handlers
// write through a StreamOutbox exactly as the supervisor's do, the client really stops
// reading (call.pause(): grpc-js stops reading the HTTP/2 stream, so flow control pushes back).

let scratch: TempDir | null = null;
let server: grpc.Server | null = null;
let client: grpc.Client | null = null;
afterEach(async () => {
  client?.close();
  client = null;
  server?.forceShutdown();
  server = null;
  scratch?.cleanup();
  scratch = null;
});

type Stream<T> = grpc.ClientReadableStream<T>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Serve Supervisor.Logs and WatchUnits with `impl`; returns a connected client. */
async function serve(impl: grpc.UntypedServiceImplementation): Promise<grpc.Client> {
  scratch = makeTempDir('ens-outbox-');
  const address = `unix:${join(scratch.dir, 'api.sock')}`;
  const protos = loadProtos();
  server = new grpc.Server();
  server.addService(protos.Supervisor.service, impl);
  await new Promise<void>((resolve, reject) => server?.bindAsync(address, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  client = new protos.Supervisor(address, grpc.credentials.createInsecure());
  return client;
}

function open<T>(c: grpc.Client, method: string, req: object): Stream<T> {
  const call = (c as unknown as Record<string, (r: object) => Stream<T>>)[method]!.call(c, req);
  call.on('error', () => undefined);
  return call;
}

const unit = (name: string, restarts: number): { unit: UnitMessage } => ({ unit: { name, state: 'ready', restarts } as UnitMessage });
const line = (i: number): LogLineMessage => ({ unit: 'u', stream: 'stdout', line: `line ${i} ${'x'.repeat(200)}`, timeMs: i });

describe('StreamOutbox over a real grpc-js stream', () => {
  it('latest: a client that stops reading gets every key at its newest value; what waits is bounded by the keys', async () => {
    let outbox: StreamOutbox<{ unit: UnitMessage }> | null = null;
    let produce: (() => void) | null = null;
    const c = await serve({
      WatchUnits: (call: grpc.ServerWritableStream<unknown, { unit: UnitMessage }>) => {
        const out = new StreamOutbox<{ unit: UnitMessage }>(call, { kind: 'latest', key: (m) => m.unit.name });
        outbox = out;
        produce = () => {
          for (let i = 1; i <= 50_000; i++) out.send(unit(`u${i % 20}`, i));
        };
        out.send(unit('first', 0));
      },
    });
    const seen: UnitMessage[] = [];
    const call = open<{ unit: UnitMessage }>(c, 'WatchUnits', { units: [] });
    call.on('data', (m: { unit: UnitMessage }) => {
      seen.push(m.unit);
      if (seen.length === 1) call.pause();
    });
    await waitFor('the first message', () => seen.length === 1);
    produce!();
    // 50,000 changes of 20 units while the client does not read: what waits is one per unit.
    expect(outbox!.pending).toBeLessThanOrEqual(20);
    expect(outbox!.pending).toBeGreaterThan(0);
    await sleep(200);
    call.resume();
    await waitFor('every unit at its last value', () => {
      const final = new Map<string, number>();
      for (const u of seen) final.set(u.name, u.restarts);
      return [...Array(20).keys()].every((k) => final.get(`u${k}`) === 50_000 - ((50_000 - k) % 20));
    });
    // Far fewer messages than were produced: the steps in between were skipped.
    expect(seen.length).toBeLessThan(5_000);
    call.cancel();
  });

  it('lossy: a client that stops reading loses lines past the bound and is told how many, exactly', async () => {
    const total = 100_000;
    let outbox: StreamOutbox<LogLineMessage> | null = null;
    let produced = false;
    const c = await serve({
      Logs: (call: grpc.ServerWritableStream<unknown, LogLineMessage>) => {
        const out = new StreamOutbox<LogLineMessage>(call, { kind: 'lossy', maxMessages: 500, gap: (n) => ({ unit: 'u', stream: 'supervisor', line: `… ${n} lines dropped: client too slow`, timeMs: 0 }) });
        outbox = out;
        out.send(line(0));
        setTimeout(() => {
          for (let i = 1; i < total; i++) out.send(line(i));
          // What waits is bounded by the cap, whatever the transport took before it pushed back.
          expect(out.pending).toBeLessThanOrEqual(500);
          produced = true;
          out.end();
        }, 300);
      },
    });
    const seen: LogLineMessage[] = [];
    const call = open<LogLineMessage>(c, 'Logs', { unit: 'u', follow: true });
    const ended = new Promise<void>((r) => call.on('end', () => r()));
    call.on('data', (m: LogLineMessage) => {
      seen.push(m);
      if (seen.length === 1) call.pause();
    });
    // The transport may drain part of the outbox at any moment; only the producer's end is waited for.
    await waitFor('the producer to finish', () => produced);
    expect(outbox!.dropped).toBeGreaterThan(0);
    call.resume();
    await ended;
    const gaps = seen.filter((m) => m.stream === 'supervisor');
    const dropped = gaps.reduce((n, m) => n + Number(/(\d+) lines dropped/.exec(m.line)?.[1]), 0);
    const lines = seen.filter((m) => m.stream === 'stdout');
    expect(gaps.length).toBeGreaterThan(0);
    expect(dropped).toBe(outbox!.dropped);
    expect(lines.length + dropped).toBe(total);
    // In order, and the stream ended only after everything kept was written.
    const numbers = lines.map((m) => m.timeMs);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(seen[seen.length - 1]?.stream).toBe('supervisor');
  });

  it('a finite stream longer than the client reads at once loses nothing within the bound', async () => {
    const c = await serve({
      Logs: (call: grpc.ServerWritableStream<unknown, LogLineMessage>) => {
        const out = new StreamOutbox<LogLineMessage>(call, { kind: 'lossy', maxMessages: 5_000, gap: () => ({ unit: 'u', stream: 'supervisor', line: 'gap', timeMs: 0 }) });
        for (let i = 0; i < 5_000; i++) out.send(line(i));
        out.end();
      },
    });
    const seen: LogLineMessage[] = [];
    const call = open<LogLineMessage>(c, 'Logs', { unit: 'u', follow: false });
    await new Promise<void>((resolve) => {
      call.on('data', (m: LogLineMessage) => seen.push(m));
      call.on('end', () => resolve());
    });
    expect(seen.map((m) => m.timeMs)).toEqual([...Array(5_000).keys()]);
  });
  it('latest: more waiting keys than the cap end the stream with RESOURCE_EXHAUSTED and release them', async () => {
    let outbox: StreamOutbox<{ unit: UnitMessage }> | null = null;
    let produce: (() => void) | null = null;
    const c = await serve({
      WatchUnits: (call: grpc.ServerWritableStream<unknown, { unit: UnitMessage }>) => {
        const out = new StreamOutbox<{ unit: UnitMessage }>(call, { kind: 'latest', key: (m) => m.unit.name, maxKeys: 50 });
        outbox = out;
        produce = () => {
          for (let i = 0; i < 5_000; i++) out.send(unit(`u${i}`, i));
        };
        out.send(unit('first', 0));
      },
    });
    let seen = 0;
    const call = open<{ unit: UnitMessage }>(c, 'WatchUnits', { units: [] });
    const failed = new Promise<grpc.ServiceError>((resolve) => call.on('error', (e: grpc.ServiceError) => resolve(e)));
    call.on('data', () => {
      seen++;
      if (seen === 1) call.pause();
    });
    await waitFor('the first message', () => seen === 1);
    produce!();
    expect(outbox!.pending).toBe(0);
    call.resume();
    const error = await failed;
    expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(error.details).toBe('client too slow: more than 50 changes waiting');
  });
});

import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateError } from '../../src/common/errors.js';
import { Caller } from '../../src/wire/call.js';
import { clientsOnOneChannel } from '../../src/wire/channel.js';
import { serverStream, unary } from '../../src/wire/grpc-handlers.js';
import { loadProtos } from '../../src/wire/protos.js';
import { bindServer } from '../../src/wire/server-bind.js';
import { stopServer } from '../../src/wire/server-stop.js';

// The one client helper against a real server on a real socket: a Resources
// service whose Read answers the caller's metadata, hangs on "slow" and fails
// with an Ensemble code on "busy"; Watch streams three values.
let server: grpc.Server;
let client: grpc.Client;
let health: grpc.Client;
const cancelled: string[] = [];

beforeAll(async () => {
  const { Resources, Health } = loadProtos();
  server = new grpc.Server();
  server.addService(Resources.service, {
    Read: (call: grpc.ServerUnaryCall<{ path: string }, { value: string }>, cb: grpc.sendUnaryData<{ value: string }>) => {
      if (call.request.path === 'slow') {
        call.on('cancelled', () => cancelled.push('slow'));
        return;
      }
      if (call.request.path === 'busy') return unary(() => Promise.reject(new StateError('the pump is busy')))(call, cb);
      cb(null, { value: String(call.metadata.get('x-test')[0] ?? '') });
    },
    Watch: serverStream(async (_req: { path: string }, call: grpc.ServerWritableStream<unknown, { path: string; value: string; timeMs: number }>) => {
      for (const value of ['1', '2', '3']) call.write({ path: 'p', value, timeMs: 0 });
      call.end();
      return () => undefined;
    }),
  });
  server.addService(Health.service, { Check: (_c: unknown, cb: grpc.sendUnaryData<{ status: string }>) => cb(null, { status: 'SERVING' }) });
  const port = await bindServer(server, '127.0.0.1:0');
  [client, health] = clientsOnOneChannel(`127.0.0.1:${port}`, [Resources, Health]);
});

afterAll(async () => {
  client?.close();
  if (server) await stopServer(server, 2000);
});

describe('Caller', () => {
  it('sends the policy metadata and resolves the response', async () => {
    const caller = new Caller({ deadlineMs: 10_000, metadata: () => new grpc.Metadata() });
    const withHeader = new Caller({
      deadlineMs: 10_000,
      metadata: () => {
        const md = new grpc.Metadata();
        md.set('x-test', 'hello');
        return md;
      },
    });
    expect(await caller.unary(client, 'Read', { path: 'x' })).toEqual({ value: '' });
    expect(await withHeader.unary(client, 'Read', { path: 'x' })).toEqual({ value: 'hello' });
    // A second service on the same channel.
    expect(await caller.unary(health, 'Check', { service: '' })).toEqual({ status: 'SERVING' });
  });

  it("maps a server's Ensemble error (default: fromServiceError) and reports each outcome", async () => {
    const outcomes: (number | null)[] = [];
    const caller = new Caller({ deadlineMs: 10_000, onOutcome: (e) => outcomes.push(e === null ? null : e.code) });
    await expect(caller.unary(client, 'Read', { path: 'busy' })).rejects.toMatchObject({ code: 'ENS_E_STATE', message: 'the pump is busy', grpcCode: grpc.status.FAILED_PRECONDITION });
    await caller.unary(client, 'Read', { path: 'x' });
    expect(outcomes).toEqual([grpc.status.FAILED_PRECONDITION, null]);
    const mapped = new Caller({ deadlineMs: 10_000, mapError: (e) => new Error(`mapped ${grpc.status[e.code]}`) });
    await expect(mapped.unary(client, 'Read', { path: 'busy' })).rejects.toThrow('mapped FAILED_PRECONDITION');
  });

  it('ends a call at its deadline, and cancels it when its signal aborts', async () => {
    const caller = new Caller({ deadlineMs: null, mapError: (e) => Object.assign(new Error(e.details), { status: e.code }) });
    await expect(caller.unary(client, 'Read', { path: 'slow' }, { deadlineMs: 200 })).rejects.toMatchObject({ status: grpc.status.DEADLINE_EXCEEDED });
    const abort = new AbortController();
    const pending = caller.unary(client, 'Read', { path: 'slow' }, { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(pending).rejects.toMatchObject({ status: grpc.status.CANCELLED });
    // The server saw the calls end (not only the client gave up).
    await expect.poll(() => cancelled.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const already = new AbortController();
    already.abort();
    await expect(caller.unary(client, 'Read', { path: 'slow' }, { signal: already.signal })).rejects.toMatchObject({ status: grpc.status.CANCELLED });
  });

  it('follows a server stream to its end', async () => {
    const seen: string[] = [];
    const handle = new Caller({ deadlineMs: null }).follow<{ value: string }>(client, 'Watch', { path: 'p' }, (m) => void seen.push(m.value));
    await handle.done;
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('rejects a method the service does not have', async () => {
    await expect(new Caller({ deadlineMs: 1000 }).unary(client, 'Nope', {})).rejects.toThrow(/has no method Nope/);
  });
});

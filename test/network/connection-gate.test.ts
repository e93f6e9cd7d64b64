import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGate, connectionLimitsFor, DEFAULT_CONNECTION_LIMITS, type GateRefusal } from '../../src/network/connection-gate.js';
import { waitFor } from '../helpers/wait-for.js';

const servers: Server[] = [];
const clients: Socket[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A real TCP server on 127.0.0.1 behind `gate`; admitted server-side sockets are returned in order. */
async function listen(gate: ConnectionGate): Promise<{ port: number; admitted: Socket[] }> {
  const admitted: Socket[] = [];
  const server = createServer((s) => {
    if (gate.admit(s)) admitted.push(s);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, admitted };
}

function client(port: number): { socket: Socket; closed: () => boolean } {
  let closed = false;
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  clients.push(socket);
  return { socket, closed: () => closed };
}

describe('connectionLimitsFor', () => {
  it('keeps the defaults with a high limit and shrinks the caps with a low one', () => {
    expect(connectionLimitsFor(65536)).toEqual(DEFAULT_CONNECTION_LIMITS);
    expect(connectionLimitsFor(null)).toEqual(DEFAULT_CONNECTION_LIMITS);
    expect(connectionLimitsFor(1024)).toMatchObject({ maxConnections: 384, maxUnauthenticated: 128 });
    expect(connectionLimitsFor(256)).toMatchObject({ maxConnections: 16, maxUnauthenticated: 8 });
  });
});

describe('ConnectionGate (real sockets)', () => {
  it('closes what never authenticates at the deadline, keeps what did, and refuses beyond the caps', async () => {
    const why: GateRefusal[] = [];
    const gate = new ConnectionGate({ handshakeTimeoutMs: 1500, maxUnauthenticated: 2, maxConnections: 3 }, (_s, w) => why.push(w));
    const { port, admitted } = await listen(gate);
    const a = client(port);
    await waitFor('a admitted', () => admitted.length === 1 || null);
    const b = client(port);
    await waitFor('two admitted', () => admitted.length === 2 || null);
    // a authenticates (as the auth interceptor reports it, by its remote address and port).
    gate.authenticated(admitted[0]?.remoteAddress, admitted[0]?.remotePort);
    const c = client(port); // 1 unauthenticated + 1 authenticated: admitted
    await waitFor('three admitted', () => admitted.length === 3 || null);
    const d = client(port); // 3 open: refused
    await waitFor('d refused', () => d.closed() || null);
    expect(why).toEqual(['too many connections']);
    await waitFor('b and c reset at the deadline', () => (b.closed() && c.closed()) || null, { timeoutMs: 20_000 });
    expect(a.closed()).toBe(false);
    expect(why.filter((w) => w === 'handshake timeout')).toHaveLength(2);
    await waitFor('the gate to count only a', () => gate.stats().open === 1 || null);
    expect(gate.stats()).toMatchObject({ open: 1, unauthenticated: 0, refused: 1, timedOut: 2 });
  });

  it('refuses a new connection while the unauthenticated cap is reached', async () => {
    const why: GateRefusal[] = [];
    const gate = new ConnectionGate({ handshakeTimeoutMs: 60_000, maxUnauthenticated: 1, maxConnections: 10 }, (_s, w) => why.push(w));
    const { port, admitted } = await listen(gate);
    client(port);
    await waitFor('one admitted', () => admitted.length === 1 || null);
    const second = client(port);
    await waitFor('second refused', () => second.closed() || null);
    expect(why).toEqual(['too many unauthenticated connections']);
    gate.destroyAll();
  });
});

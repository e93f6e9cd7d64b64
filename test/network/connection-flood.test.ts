import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETWORK_TOKEN_HEADER } from '../../src/network/peer-auth.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { waitFor } from '../helpers/wait-for.js';
import { startNode, type NodeProcess } from '../helpers/cluster.js';

// Issue 12 row 16: a real networked supervisor on 127.0.0.1, started with a
// soft open-file limit of 1,024 (as on many hosts), flooded with 1,100 raw TCP
// connections that never send a byte.
const TOKEN = 'flood-test-network-token-5d1e';
const FLOOD = 1100;
const ENSEMBLE = `network "lab" {
  token: "{{ env.TEST_NETWORK_TOKEN }}"
}
runner sleeper "/bin/sleep" { arguments: ["100000"] }
`;

let node: NodeProcess;
const sockets: Socket[] = [];

function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** `supervisor ps` through the real CLI over the Unix socket; its wall time in ms. */
function timedPs(): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'ps', '--supervisor', node.home.paths.apiAddress], {
      env: { ...process.env, ENSEMBLE_SUPERVISOR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

/** A unary health check on the TCP listener with the network token (an authenticated call). */
function healthCheck(client: grpc.Client): Promise<void> {
  const metadata = new grpc.Metadata();
  metadata.set(NETWORK_TOKEN_HEADER, TOKEN);
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.alloc(0),
      metadata,
      { deadline: Date.now() + 20_000 },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
}

beforeAll(async () => {
  node = await startNode({
    name: 'flood',
    ensemble: ENSEMBLE,
    env: { TEST_NETWORK_TOKEN: TOKEN },
    prefix: ['prlimit', '--nofile=1024:', '--'],
  });
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await node?.stop();
  node?.home.cleanup();
}, 60_000);

describe('the network listener under a flood of idle connections', { timeout: 240_000 }, () => {
  it('the supervisor raised its soft open-file limit from 1,024 at start', async () => {
    const listening = await node.waitRecord('the listening record', (r) => r.component === 'network' && typeof r.listen === 'string');
    const hard = Number(/Max open files\s+\d+\s+(\d+)/.exec(await import('node:fs').then((fs) => fs.readFileSync('/proc/self/limits', 'utf8')))?.[1]);
    expect(listening.fdLimit).toBe(Math.min(hard, 65536));
    expect(listening.connections).toMatchObject({ handshakeTimeoutMs: 5000, maxUnauthenticated: 128, maxConnections: 1024 });
  });

  it('keeps a connection that authenticated past the handshake timeout', async () => {
    const client = new grpc.Client(`127.0.0.1:${node.port}`, grpc.credentials.createInsecure());
    try {
      await healthCheck(client);
      await new Promise((r) => setTimeout(r, 7000));
      expect(client.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.READY);
      await healthCheck(client);
    } finally {
      client.close();
    }
  });

  it(`closes ${FLOOD} connections that never authenticate, caps them, and the local API answers meanwhile`, async () => {
    const pid = node.process.pid as number;
    const baseline = fdCount(pid);
    const quiet = await timedPs();
    expect(quiet.code).toBe(0);
    const q0 = process.hrtime.bigint();
    await node.supervisor.listUnits();
    const quietCallMs = Math.round(Number(process.hrtime.bigint() - q0) / 1e5) / 10;
    let closedByServer = 0;
    let maxFds = baseline;
    const sampler = setInterval(() => (maxFds = Math.max(maxFds, fdCount(pid))), 50);
    try {
      for (let i = 0; i < FLOOD; i++) {
        const s = connect({ host: '127.0.0.1', port: node.port });
        s.on('error', () => undefined);
        s.on('close', () => closedByServer++);
        sockets.push(s);
      }
      // During the flood: ListUnits over the Unix socket (a warm client) and `supervisor ps` answer.
      const callMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = process.hrtime.bigint();
        expect((await node.supervisor.listUnits()).map((u) => u.name)).toContain('sleeper');
        callMs.push(Math.round(Number(process.hrtime.bigint() - t0) / 1e5) / 10);
      }
      const latencies: number[] = [];
      for (let i = 0; i < 3; i++) {
        const ps = await timedPs();
        expect(ps.code).toBe(0);
        expect(ps.stdout).toContain('sleeper');
        latencies.push(Math.round(ps.ms));
      }
      await waitFor(`the server to close all ${FLOOD} idle connections (closed ${closedByServer})`, () => closedByServer === FLOOD || null, { timeoutMs: 60_000, intervalMs: 100 });
      clearInterval(sampler);
      const after = fdCount(pid);
      console.log(`flood figures: supervisor fds baseline ${baseline}, max during flood ${maxFds}, after ${after}; ps latency before ${Math.round(quiet.ms)} ms, during flood ${latencies.join(', ')} ms (CLI start included); ListUnits before ${quietCallMs} ms, during flood ${callMs.join(', ')} ms`);
      // At most the unauthenticated cap (128) was ever held, plus what the supervisor had anyway.
      expect(maxFds).toBeLessThan(baseline + 128 + 40);
      await waitFor('the supervisor fds back near the baseline', () => fdCount(pid) <= baseline + 10 || null, { timeoutMs: 30_000 });
      const closures = node.records.filter((r) => typeof r.msg === 'string' && r.msg.startsWith('closed a network connection'));
      expect(closures.some((r) => String(r.msg).includes('handshake timeout'))).toBe(true);
      expect(closures.some((r) => String(r.msg).includes('too many unauthenticated connections'))).toBe(true);
      // Throttled: one line per host and reason per minute, not one per connection.
      expect(closures.length).toBeLessThanOrEqual(4);
      // The listener still takes authenticated calls after the flood.
      const client = new grpc.Client(`127.0.0.1:${node.port}`, grpc.credentials.createInsecure());
      try {
        await healthCheck(client);
      } finally {
        client.close();
      }
    } finally {
      clearInterval(sampler);
    }
  });
});

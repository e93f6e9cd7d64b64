import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthSpec } from '../../src/ensemble/plan.js';
import { createProbe } from '../../src/health/create-probe.js';
import { healthServiceDefinition } from '../../src/wire/health-proto.js';
import { parseProbe } from '../../src/common/probe-form.js';
import type { ProbeTarget } from '../../src/supervisor/health-services.js';
import { isAlive } from '../helpers/processes.js';
import { makeTempDir } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: (() => Promise<void> | void)[] = [];
let dir: string;

beforeEach(async () => {
  const scratch = makeTempDir('ensemble-probe-');
  dir = scratch.dir;
  cleanups.push(scratch.cleanup);
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function spec(probe: string): HealthSpec {
  return { probe, intervalMs: 1000, timeoutMs: 2000, failures: 3, startPeriodMs: 0 };
}

function target(address: string | null = null, env: Record<string, string> = {}): ProbeTarget {
  return { unit: 'api', cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, address: () => address };
}

async function listenTcp(): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('tcp probe', () => {
  it('passes when the port accepts connections, on the default host and an explicit one', async () => {
    const server = await listenTcp();
    const port = (server.address() as net.AddressInfo).port;
    expect(await createProbe(spec(`tcp:${port}`), target()).check(2000)).toMatchObject({ ok: true });
    expect(await createProbe(spec(`tcp:127.0.0.1:${port}`), target()).check(2000)).toMatchObject({ ok: true });
  });

  it('fails with the reason when nothing listens', async () => {
    const port = await freePort();
    const result = await createProbe(spec(`tcp:${port}`), target()).check(2000);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('ECONNREFUSED');
  });
});

describe('http probe', () => {
  let status = 200;
  let port = 0;
  beforeEach(async () => {
    status = 200;
    const server = http.createServer((request, response) => {
      if (request.url === '/hang') return; // never answers
      response.writeHead(request.url === '/moved' ? 302 : status, request.url === '/moved' ? { location: '/elsewhere' } : {});
      response.end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    cleanups.push(() => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }));
  });

  it('passes on 2xx and 3xx, fails on 5xx with the status', async () => {
    const probe = createProbe(spec(`http://127.0.0.1:${port}/health`), target());
    expect(await probe.check(2000)).toMatchObject({ ok: true, detail: 'HTTP 200 OK' });
    expect(await createProbe(spec(`http://127.0.0.1:${port}/moved`), target()).check(2000)).toMatchObject({ ok: true });
    status = 500;
    expect(await probe.check(2000)).toEqual({ ok: false, detail: 'HTTP 500 Internal Server Error' });
  });

  it('fails at the timeout when the server never answers', async () => {
    const result = await createProbe(spec(`http://127.0.0.1:${port}/hang`), target()).check(300);
    expect(result).toEqual({ ok: false, detail: 'timed out after 300ms' });
  });
});

describe('grpc probe', () => {
  let serving = 'SERVING';
  let address = '';
  beforeEach(async () => {
    serving = 'SERVING';
    const server = new grpc.Server();
    server.addService(healthServiceDefinition(), {
      check: (_call: unknown, callback: grpc.sendUnaryData<{ status: string }>) => callback(null, { status: serving }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
    cleanups.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  });

  it('passes on SERVING and fails on NOT_SERVING at the registered address', async () => {
    const probe = createProbe(spec('grpc'), target(address));
    expect(await probe.check(2000)).toMatchObject({ ok: true });
    serving = 'NOT_SERVING';
    expect(await probe.check(2000)).toEqual({ ok: false, detail: `${address}: NOT_SERVING` });
  });

  it('fails when the unit has no registered address or nothing answers there', async () => {
    expect(await createProbe(spec('grpc'), target(null)).check(2000)).toEqual({ ok: false, detail: 'api has no registered gRPC address' });
    const result = await createProbe(spec('grpc'), target(`127.0.0.1:${await freePort()}`)).check(2000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/UNAVAILABLE|timed out/);
  });
});

describe('exec probe', () => {
  it('passes on exit 0 and fails on a non-zero exit', async () => {
    expect(await createProbe(spec('exec:true'), target()).check(5000)).toMatchObject({ ok: true });
    expect(await createProbe(spec('exec:false'), target()).check(5000)).toEqual({ ok: false, detail: 'exit 1' });
  });

  it('runs without a shell, words split like a shell, in the unit directory and environment', async () => {
    process.env.PROBE_INHERITED = 'from the supervisor';
    cleanups.push(() => {
      delete process.env.PROBE_INHERITED;
    });
    const script = 'test "$PROBE_VALUE" = "a b" && test "$PROBE_INHERITED" = "from the supervisor" && test "$(pwd)" = "$1"';
    const probe = createProbe(spec(`exec:sh -c '${script}' probe "${dir}"`), target(null, { PROBE_VALUE: 'a b' }));
    expect(await probe.check(5000)).toMatchObject({ ok: true });
    expect(await createProbe(spec('exec:echo $HOME'), target()).check(5000)).toMatchObject({ ok: true, detail: 'exit 0: $HOME' });
  });

  it('fails with the reason when the command does not exist', async () => {
    const result = await createProbe(spec('exec:/nonexistent/probe-command'), target()).check(5000);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('ENOENT');
  });

  it('kills the whole process group at the timeout', async () => {
    const pidFile = join(dir, 'pids');
    const probe = createProbe(spec(`exec:sh -c 'sleep 600 & echo $$ $! > "$0"; wait' ${pidFile}`), target());
    const result = await probe.check(3000);
    expect(result).toEqual({ ok: false, detail: 'timed out after 3s' });
    const pids = (await readFile(pidFile, 'utf8')).trim().split(' ').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) await waitFor(`probe process ${pid} to be gone`, () => !isAlive(pid));
  });
});

describe('probe specifications', () => {
  it('parses every form and reports invalid ones as failing probes, never throwing', async () => {
    expect(parseProbe('tcp:[::1]:80')).toEqual({ type: 'tcp', host: '::1', port: 80 });
    expect(parseProbe('tcp:db.local:5432')).toEqual({ type: 'tcp', host: 'db.local', port: 5432 });
    expect(() => parseProbe('tcp:99999')).toThrow('port 99999 is out of range');
    expect(() => parseProbe('ping')).toThrow(/expected grpc, grpc:SERVICE, tcp:PORT/);
    const invalid = createProbe(spec('exec:"unterminated'), target());
    const result = await invalid.check(1000);
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('unterminated double quote');
  });
});

/**
 * Discovery Find latency (p50, p99) and throughput with 1 and 64 concurrent
 * clients, next to a trivial grpc-js server answering the same Find call with
 * a constant response, on the same transport (a Unix socket) in the same run.
 *
 *   npx tsx bench/discovery.ts [--calls N]
 *
 * The supervisor is real (runSystem with the API plugin, one SDK unit
 * registered); the echo server serves `ensemble.discovery.v1.Discovery/Find`
 * without a registry. Both servers and the client share this process, so
 * both pay the same event-loop cost. Prints a Markdown table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { loadProtos } from '../src/wire/protos.js';
import { runSystem } from '../src/system/run-system.js';
import type { Supervisor } from '../src/supervisor/supervisor.js';
import { runtimePaths } from '../src/common/runtime-dir.js';

const argv = process.argv.slice(2);
const callsIndex = argv.indexOf('--calls');
const CALLS = callsIndex >= 0 ? Number(argv[callsIndex + 1]) : 20_000;
const WARMUP = 1000;
const QUERY = { name: 'demo.echo.v1.Echo' }; // a family: Find walks name, alias, then family

interface Result {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
}

function call(client: grpc.Client): Promise<void> {
  return new Promise((done, fail) => {
    (client as unknown as { Find(r: object, cb: (e: Error | null) => void): void }).Find(QUERY, (e) => (e ? fail(e) : done()));
  });
}

async function measure(client: grpc.Client, concurrency: number, calls: number): Promise<Result> {
  for (let i = 0; i < WARMUP; i++) await call(client);
  const latencies: number[] = [];
  let left = calls;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const t = process.hrtime.bigint();
        await call(client);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p99: at(0.99), perSecond: latencies.length / seconds };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ens-bench-disc-'));
  const env = { ...process.env, ENSEMBLE_RUNTIME_HOME: join(dir, 'run'), ENSEMBLE_STATE_HOME: join(dir, 'state') };
  const file = join(dir, 'system.ensemble');
  writeFileSync(file, `runner echo "${resolve('test/fixtures/sdk-echo.mjs')}" {\n  readiness: notify\n}\n`);
  const paths = runtimePaths(file, env);
  let supervisor: Supervisor | null = null;
  const finished = runSystem(
    { file, fs: false, env },
    { handleSignals: false, logger: pino({ level: 'warn' }, new Writable({ write: (_c, _e, d) => d() })), onStarted: (s) => (supervisor = s) },
  );
  const protos = loadProtos();
  const echoServer = new grpc.Server();
  const echoSocket = join(dir, 'echo.sock');
  try {
    const deadline = Date.now() + 60_000;
    while (!supervisor || (supervisor as Supervisor).getUnit('echo').state !== 'ready') {
      if (Date.now() > deadline) throw new Error('the echo unit did not become ready');
      await new Promise((r) => setTimeout(r, 50));
    }
    const discovery = new protos.Discovery(paths.apiAddress, grpc.credentials.createInsecure());
    const service = await new Promise<object>((done, fail) =>
      (discovery as unknown as { Find(r: object, cb: (e: Error | null, r: { service: object }) => void): void }).Find(QUERY, (e, r) => (e ? fail(e) : done(r.service))),
    );
    // The same response every time: what Find costs without the registry.
    echoServer.addService(protos.Discovery.service, { Find: (_c: unknown, cb: (e: null, r: object) => void) => cb(null, { service }) });
    await new Promise<void>((done, fail) => echoServer.bindAsync(`unix:${echoSocket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? fail(e) : done())));
    const echo = new protos.Discovery(`unix:${echoSocket}`, grpc.credentials.createInsecure());

    const rows: string[] = [];
    for (const concurrency of [1, 64]) {
      const calls = concurrency === 1 ? Math.max(1000, Math.floor(CALLS / 4)) : CALLS;
      // Alternate the order so neither side always runs on a warmer process.
      const e1 = await measure(echo, concurrency, calls);
      const f = await measure(discovery, concurrency, calls);
      const e2 = await measure(echo, concurrency, calls);
      const e: Result = { p50: (e1.p50 + e2.p50) / 2, p99: (e1.p99 + e2.p99) / 2, perSecond: (e1.perSecond + e2.perSecond) / 2 };
      const ratio = e.perSecond / f.perSecond;
      rows.push(
        `| ${concurrency} | ${f.p50.toFixed(3)} | ${f.p99.toFixed(3)} | ${Math.round(f.perSecond)} | ${e.p50.toFixed(3)} | ${e.p99.toFixed(3)} | ${Math.round(e.perSecond)} | ${ratio.toFixed(2)}x ${ratio <= 1.2 ? 'PASS' : 'MISS'} |`,
      );
    }
    discovery.close();
    echo.close();
    process.stdout.write(
      [
        `Discovery Find vs a trivial grpc-js server, Unix socket, ${CALLS} calls at 64 clients (load average ${loadavg()[0]!.toFixed(2)}).`,
        '',
        '| clients | Find p50 ms | Find p99 ms | Find calls/s | echo p50 ms | echo p99 ms | echo calls/s | cost vs echo (≤ 1.2x) |',
        '|---:|---:|---:|---:|---:|---:|---:|---|',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    echoServer.forceShutdown();
    if (supervisor) await (supervisor as Supervisor).shutdown();
    await finished.catch(() => 0);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * Federation figures (docs/network.md, docs/performance.md): with 3 and 10
 * real `supervisor run` processes on loopback,
 *
 * - registration → visible everywhere: a unit on node n0 is started; from
 *   the moment n0's own Discovery Watch reports the service ADDED to the
 *   moment every other node's Watch reports it (p50 and max over runs);
 * - dead node → out of discovery: the last node is SIGKILLed; from the kill
 *   to the moment every other node's Watch reports its service REMOVED.
 *
 *   npx tsx bench/network.ts [--sizes 3,10] [--runs N] [--json]
 *
 * Every node seeds only n0 (the others are learned through it). Default
 * timings (heartbeat 1 s, failure timeout 5 s) unless ENSEMBLE_NETWORK_*
 * are set. All processes and temp dirs are removed on exit, also on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../src/wire/protos.js';
import { runtimePaths } from '../src/common/runtime-dir.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsx = import.meta.resolve('tsx');
const argv = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '3,10').split(',').map(Number);
const RUNS = Number(arg('--runs') ?? 10);
const KILLS = Math.max(1, Math.min(3, RUNS));
const WAIT_MS = Number(process.env.BENCH_WAIT_MS ?? 120_000);
const netEcho = join(root, 'test/fixtures/network/net-echo.mjs');

interface Node {
  name: string;
  dir: string;
  env: Record<string, string>;
  apiAddress: string;
  port: number;
  child: ChildProcess;
  events: { type: string; name: string; node: string; at: number }[];
  watch: grpc.ClientReadableStream<unknown> | null;
  clients: grpc.Client[];
}

const nodes: Node[] = [];
/** Every temp dir made by this run (removed on exit, also after a signal). */
const allDirs: string[] = [];
const now = (): number => performance.timeOrigin + performance.now();

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = WAIT_MS): Promise<T> {
  if (process.env.BENCH_DEBUG) process.stderr.write(`waiting for ${what}\n`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) {
      if (process.env.BENCH_DEBUG) for (const n of nodes) process.stderr.write(`${n.name}: ${JSON.stringify(n.events.slice(-6))}\n`);
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function startNode(name: string, ensemble: string, peers: string[], port = 0, dir?: string): Promise<Node> {
  const home = dir ?? mkdtempSync(join(tmpdir(), 'ens-net-bench-'));
  if (!allDirs.includes(home)) allDirs.push(home);
  const file = join(home, 'system.ensemble');
  writeFileSync(file, ensemble);
  const env = { ENSEMBLE_RUNTIME_HOME: join(home, 'run'), ENSEMBLE_STATE_HOME: join(home, 'state') };
  const args = ['--import', tsx, join(root, 'src/cli/main.ts'), 'run', file, '--node', name, '--no-fs', '--log-format', 'json', '--listen', `127.0.0.1:${port}`];
  for (const p of peers) args.push('--peer', p);
  const child = spawn(process.execPath, args, { cwd: home, env: { ...process.env, ...env, ENSEMBLE_SUPERVISOR: '' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const listen = await until(`${name} to listen`, () => /"listen":"127\.0\.0\.1:(\d+)"/.exec(out)?.[1]);
  const node: Node = { name, dir: home, env, apiAddress: runtimePaths(file, env).apiAddress, port: Number(listen), child, events: [], watch: null, clients: [] };
  return node;
}

/** Follow `node`'s Discovery Watch, timestamping every change. */
async function watch(node: Node): Promise<void> {
  const Discovery = loadProtos().Discovery;
  const client = new Discovery(node.apiAddress, grpc.credentials.createInsecure());
  node.clients.push(client);
  const call = (client as unknown as { Watch(r: object): grpc.ClientReadableStream<{ type: string; service?: { name: string; node: string } }> }).Watch({ query: '' });
  let synced = false;
  call.on('data', (e: { type: string; service?: { name: string; node: string } }) => {
    if (e.type === 'CHANGE_TYPE_SYNCED') synced = true;
    else if (e.service) node.events.push({ type: e.type, name: e.service.name, node: e.service.node, at: now() });
  });
  call.on('error', () => undefined);
  node.watch = call;
  await until(`${node.name}'s watch`, () => synced);
}

function control(node: Node, method: 'StartUnit' | 'StopUnit', unit: string): Promise<void> {
  const Supervisor = loadProtos().Supervisor;
  const client = new Supervisor(node.apiAddress, grpc.credentials.createInsecure());
  return new Promise((done, fail) =>
    (client as unknown as Record<string, (r: object, cb: (e: Error | null) => void) => void>)[method]!.call(client, { unit }, (e) => {
      client.close();
      if (e) fail(e);
      else done();
    }),
  );
}

function lastEvent(node: Node, type: string, name: string, after: number): number | null {
  return node.events.find((e) => e.type === type && e.name === name && e.at >= after)?.at ?? null;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

async function stopAll(): Promise<void> {
  for (const n of nodes.splice(0)) {
    n.watch?.cancel();
    for (const c of n.clients) c.close();
    if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
  }
  await new Promise((r) => setTimeout(r, 3000));
}

function killLeftovers(dirs: string[]): void {
  // Units of these runs (found by their supervisor address), then the temp dirs.
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
      if (dirs.some((d) => env.includes(`ENSEMBLE_SUPERVISOR=unix:${d}`))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

interface SizeResult {
  size: number;
  registration: { p50: number; max: number; runs: number };
  dead: { p50: number; max: number; runs: number };
}

async function measure(size: number): Promise<SizeResult> {
  const last = `n${size - 1}`;
  const ensemble = `network "bench" {
  token: "bench-token"
}
runner echo "${netEcho}" on "n0" {
  readiness: notify
}
runner victim "${netEcho}" on "${last}" {
  readiness: notify
}
`;
  const dirs: string[] = [];
  try {
    const n0 = await startNode('n0', ensemble, []);
    nodes.push(n0);
    dirs.push(n0.dir);
    for (let i = 1; i < size; i++) {
      const n = await startNode(`n${i}`, ensemble, [`127.0.0.1:${n0.port}`]);
      nodes.push(n);
      dirs.push(n.dir);
    }
    for (const n of nodes) await watch(n);
    const everywhere = (type: string, name: string, after: number, except: Node | null) =>
      until(`${name} ${type} everywhere`, () => {
        const times = nodes.filter((n) => n !== except).map((n) => lastEvent(n, type, name, after));
        return times.every((t) => t !== null) ? (times as number[]) : null;
      });
    await everywhere('CHANGE_TYPE_ADDED', 'echo', 0, null);
    await everywhere('CHANGE_TYPE_ADDED', 'victim', 0, null);

    const registration: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = now();
      await control(n0, 'StopUnit', 'echo');
      await everywhere('CHANGE_TYPE_REMOVED', 'echo', t, null);
      const s = now();
      await control(n0, 'StartUnit', 'echo');
      const local = await until('echo added on n0', () => lastEvent(n0, 'CHANGE_TYPE_ADDED', 'echo', s));
      const times = await everywhere('CHANGE_TYPE_ADDED', 'echo', s, n0);
      registration.push(Math.max(...times) - local);
    }

    const dead: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const victim = nodes[nodes.length - 1]!;
      const others = nodes.slice(0, -1);
      const t = now();
      victim.child.kill('SIGKILL');
      const times = await until('victim removed everywhere', () => {
        const ts = others.map((n) => lastEvent(n, 'CHANGE_TYPE_REMOVED', 'victim', t));
        return ts.every((x) => x !== null) ? (ts as number[]) : null;
      });
      dead.push(Math.max(...times) - t);
      // Bring it back on the same address before the next round.
      victim.watch?.cancel();
      if (victim.child.exitCode === null && victim.child.signalCode === null) await new Promise((r) => victim.child.once('exit', r));
      const back = await startNode(victim.name, ensemble, [`127.0.0.1:${n0.port}`], victim.port, victim.dir);
      nodes[nodes.length - 1] = back;
      await watch(back);
      await until('victim back everywhere', () => others.every((n) => lastEvent(n, 'CHANGE_TYPE_ADDED', 'victim', t) !== null) || null);
    }
    return {
      size,
      registration: { p50: quantile(registration, 0.5), max: Math.max(...registration), runs: registration.length },
      dead: { p50: quantile(dead, 0.5), max: Math.max(...dead), runs: dead.length },
    };
  } finally {
    await stopAll();
    killLeftovers(dirs);
  }
}

const onSignal = (): void => {
  for (const n of nodes) n.child.kill('SIGKILL');
  killLeftovers(allDirs);
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const results: SizeResult[] = [];
for (const size of SIZES) results.push(await measure(size));
if (argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ loadavg: loadavg(), results }, null, 2)}\n`);
} else {
  const ms = (x: number): string => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
  process.stdout.write('| supervisors | registration visible on every node (p50 / max) | dead node out of discovery everywhere (p50 / max) |\n|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(`| ${r.size} | ${ms(r.registration.p50)} / ${ms(r.registration.max)} (${r.registration.runs} runs) | ${ms(r.dead.p50)} / ${ms(r.dead.max)} (${r.dead.runs} kills) |\n`);
  }
  process.stdout.write(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}; heartbeat ${process.env.ENSEMBLE_NETWORK_HEARTBEAT ?? '1s'}, timeout ${process.env.ENSEMBLE_NETWORK_TIMEOUT ?? '5s'}\n`);
}
process.exit(0);

import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, killPids } from '../helpers/processes.js';
import { runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';
import { waitFor } from '../helpers/wait-for.js';

const runs: EnsembleRun[] = [];
const clients: Etcd3[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  const stopping = runs.splice(0);
  const leftovers = stopping.map((r) => etcdPids(r.home.dir));
  await Promise.all(stopping.map((r) => r.stop()));
  killPids(leftovers.flat()); // stop() already killed what carries the supervisor's address; etcd always does, this is belt and braces
});

/** `n` distinct free loopback ports (held open together so none is handed out twice). */
async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    servers.push(s);
    const address = s.address();
    ports.push(typeof address === 'object' && address ? address.port : 0);
  }
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Live etcd processes whose data directory lies under `dir` (the test's temp home). */
function etcdPids(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('etcd') && argv.some((a) => a.startsWith(`--data-dir=${dir}/`)) && isAlive(Number(name))) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

function runner(name: string, properties: string, extra = ''): string {
  return `runner ${name} "${unitMain('etcd')}" {\n  readiness: notify\n  ready_timeout: 60s\n  ${extra}\n  properties { ${properties} }\n}\n`;
}

async function start(text: string): Promise<EnsembleRun> {
  const run = await runEnsemble(text);
  runs.push(run);
  return run;
}

function client(...urls: string[]): Etcd3 {
  const c = new Etcd3({ hosts: urls, dialTimeout: 5000 });
  clients.push(c);
  return c;
}

describe('@ensemble/etcd', () => {
  it('runs a one-member etcd that becomes ready, answers put/get, survives a SIGKILL of etcd with its data, and leaves no etcd behind', async () => {
    const [cp, pp] = await freePorts(2);
    const url = `http://127.0.0.1:${cp}`;
    const run = await start(runner('etcd', `client_urls: "${url}"  peer_urls: "http://127.0.0.1:${pp}"`));
    await run.waitAllReady(90_000);
    await run.waitOutput('etcd member etcd healthy');

    const etcd = client(url);
    await etcd.put('greeting').value('hello');
    expect(await etcd.get('greeting').string()).toBe('hello');

    const res = await run.resources('etcd');
    expect(await res.read('endpoints')).toBe(url);
    const [pid] = etcdPids(run.home.dir);
    expect(pid).toBeDefined();
    expect(await res.read('pid')).toBe(String(pid));
    expect(etcdPids(run.home.dir)).toEqual([pid]);

    // SIGKILL etcd itself: the unit says why, exits non-zero, and the supervisor restarts it on the same data.
    const before = await run.client.getUnit('etcd');
    process.kill(pid as number, 'SIGKILL');
    await run.waitOutput('etcd was killed by SIGKILL on its own');
    await run.waitUnit('etcd', 'restarted and ready', (u) => u.restarts > before.restarts && u.state === 'ready', 90_000);
    const after = etcdPids(run.home.dir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(pid);
    await expect.poll(() => etcd.get('greeting').string().catch(() => null), { timeout: 30_000, interval: 250 }).toBe('hello');

    // Stopping the supervisor stops etcd (no process left behind).
    run.proc.kill('SIGTERM');
    await waitFor('supervisor exit', () => run.proc.exitCode !== null || run.proc.signalCode !== null, { timeoutMs: 30_000 });
    expect(after.filter(isAlive)).toEqual([]);
    expect(etcdPids(run.home.dir)).toEqual([]);
  });

  it('runs a three-member cluster as three units of one supervisor', async () => {
    const ports = await freePorts(6);
    const members = [0, 1, 2].map((i) => ({ name: `e${i}`, client: `http://127.0.0.1:${ports[2 * i]}`, peer: `http://127.0.0.1:${ports[2 * i + 1]}` }));
    const cluster = members.map((m) => `${m.name}=${m.peer}`).join(',');
    const text = members
      .map((m) => runner(m.name, `client_urls: "${m.client}"  peer_urls: "${m.peer}"  initial_cluster: "${cluster}"  initial_cluster_token: "trio"  heartbeat_interval: "50ms"  election_timeout: "500ms"`))
      .join('');
    const run = await start(text);
    await run.waitAllReady(120_000);

    const etcd = client(...members.map((m) => m.client));
    const list = await waitFor('three started members', async () => {
      const r = await etcd.cluster.memberList({ linearizable: true });
      return r.members.length === 3 && r.members.every((m) => m.name !== '') ? r.members : null;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(list.map((m) => m.name).sort()).toEqual(['e0', 'e1', 'e2']);
    await etcd.put('shared').value('42');
    // Each member answers with the cluster's data.
    for (const m of members) {
      const one = client(m.client);
      await expect.poll(() => one.get('shared').string().catch(() => null), { timeout: 30_000, interval: 250 }).toBe('42');
    }
    expect(etcdPids(run.home.dir)).toHaveLength(3);
  });

  it('refuses a bad property in one line, without starting etcd', async () => {
    const run = await start(runner('etcd', 'client_urls: "127.0.0.1:2379"', 'restart { policy: never }'));
    const line = await run.waitOutput('property \\"client_urls\\" must be');
    expect(line).toContain('etcd: property \\"client_urls\\" must be a URL or a list of URLs');
    const u = await run.waitUnit('etcd', 'stopped after the error', (x) => x.exitCode === 2 && x.state !== 'starting');
    expect(u.exitCode).toBe(2);
    const unitLines = run.output().split('\n').filter((l) => l.includes('"unit":"etcd"') && l.includes('"stream":"stderr"'));
    expect(unitLines).toHaveLength(1);
    expect(run.output()).not.toMatch(/\s+at .*units\/etcd/);
    expect(etcdPids(run.home.dir)).toEqual([]);
  });
});

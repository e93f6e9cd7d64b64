import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { etcdConfig } from '../../units/etcd/etcd-config.js';
import { etcdFlags } from '../../units/etcd/etcd-flags.js';
import { isAlive, killPids } from '../helpers/processes.js';
import { runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const runs: EnsembleRun[] = [];
const clients: Etcd3[] = [];
const dirs: TempDir[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const d of dirs.splice(0)) d.cleanup();
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

/** A test CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in `dir`. */
function makeCertificates(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=ensemble test CA');
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  }
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
    await run.waitOutput('etcd ended without being asked to (killed by SIGKILL)');
    await run.waitUnit('etcd', 'restarted and ready', (u) => u.restarts > before.restarts && u.state === 'ready', 90_000);
    const after = etcdPids(run.home.dir);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(pid);
    await expect.poll(() => etcd.get('greeting').string().catch(() => null), { timeout: 30_000, interval: 250 }).toBe('hello');

    // SIGKILL of the unit process itself: its etcd dies with it (never orphaned) and the restart serves the data again.
    const unitPid = (await run.client.getUnit('etcd')).pid as number;
    const restarts = (await run.client.getUnit('etcd')).restarts;
    process.kill(unitPid, 'SIGKILL');
    await waitFor('the old etcd gone', () => !isAlive(after[0] as number), { timeoutMs: 30_000 });
    await run.waitUnit('etcd', 'restarted after SIGKILL and ready', (u) => u.restarts > restarts && u.state === 'ready', 90_000);
    await expect.poll(() => etcd.get('greeting').string().catch(() => null), { timeout: 30_000, interval: 250 }).toBe('hello');
    const last = etcdPids(run.home.dir);
    expect(last).toHaveLength(1);

    // Stopping the supervisor stops etcd (no process left behind).
    run.proc.kill('SIGTERM');
    await waitFor('supervisor exit', () => run.proc.exitCode !== null || run.proc.signalCode !== null, { timeoutMs: 30_000 });
    expect(last.filter(isAlive)).toEqual([]);
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

  it('serves clients over TLS with client certificates and becomes ready through the https health check', async () => {
    const tmp = makeTempDir('ens-etcd-tls-');
    dirs.push(tmp);
    makeCertificates(tmp.dir);
    const [cp, pp] = await freePorts(2);
    const url = `https://127.0.0.1:${cp}`;
    const tls = `cert_file: "${tmp.dir}/server.crt"  key_file: "${tmp.dir}/server.key"  trusted_ca_file: "${tmp.dir}/ca.crt"  client_cert_auth: true`;
    const run = await start(runner('etcd', `client_urls: "${url}"  peer_urls: "http://127.0.0.1:${pp}"  ${tls}`));
    await run.waitAllReady(90_000);
    const read = (f: string) => readFileSync(join(tmp.dir, f));
    const etcd = new Etcd3({ hosts: url, dialTimeout: 5000, credentials: { rootCertificate: read('ca.crt'), privateKey: read('client.key'), certChain: read('client.crt') } });
    clients.push(etcd);
    await etcd.put('secure').value('yes');
    expect(await etcd.get('secure').string()).toBe('yes');
    // Without a client certificate the member refuses.
    const anonymous = new Etcd3({ hosts: url, dialTimeout: 3000, credentials: { rootCertificate: read('ca.crt') } });
    clients.push(anonymous);
    await expect(anonymous.get('secure').string()).rejects.toThrow();
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

describe('@ensemble/etcd properties → etcd flags', () => {
  const ctx = { unit: 'etcd', stateDir: '/state/units/etcd', cwd: '/srv/plant' };

  it('defaults every flag from the unit: name, data dir in the state dir, loopback URLs, a one-member cluster', () => {
    expect(etcdFlags(etcdConfig({}, ctx))).toEqual([
      '--name=etcd',
      '--data-dir=/state/units/etcd/data',
      '--listen-client-urls=http://127.0.0.1:2379',
      '--advertise-client-urls=http://127.0.0.1:2379',
      '--listen-peer-urls=http://127.0.0.1:2380',
      '--initial-advertise-peer-urls=http://127.0.0.1:2380',
      '--initial-cluster=etcd=http://127.0.0.1:2380',
      '--initial-cluster-state=new',
      '--initial-cluster-token=etcd',
      '--logger=zap',
      '--log-outputs=stderr',
    ]);
  });

  it('passes durations in ms, TLS files (relative to the working directory), the cluster in its three forms and extra_args last', () => {
    const flags = etcdFlags(
      etcdConfig(
        {
          name: 'a',
          data_dir: 'member',
          client_urls: ['https://0.0.0.0:2379'],
          advertise_client_urls: 'https://10.0.0.1:2379',
          peer_urls: 'http://10.0.0.1:2380',
          initial_cluster: { a: 'http://10.0.0.1:2380', b: 'http://10.0.0.2:2380' },
          initial_cluster_state: 'existing',
          heartbeat_interval: '50ms',
          election_timeout: 1,
          cert_file: 'tls/server.crt',
          key_file: '/etc/etcd/server.key',
          trusted_ca_file: 'tls/ca.crt',
          client_cert_auth: true,
          extra_args: ['--quota-backend-bytes=1073741824', 5],
        },
        ctx,
      ),
    );
    expect(flags).toContain('--data-dir=/state/units/etcd/member');
    expect(flags).toContain('--initial-cluster=a=http://10.0.0.1:2380,b=http://10.0.0.2:2380');
    expect(flags).toContain('--heartbeat-interval=50');
    expect(flags).toContain('--election-timeout=1000');
    expect(flags).toContain('--cert-file=/srv/plant/tls/server.crt');
    expect(flags).toContain('--key-file=/etc/etcd/server.key');
    expect(flags).toContain('--client-cert-auth=true');
    expect(flags.slice(-2)).toEqual(['--quota-backend-bytes=1073741824', '5']);
    expect(etcdConfig({ initial_cluster: ['etcd=http://127.0.0.1:2380', 'x=http://127.0.0.2:2380'] }, ctx).initialCluster).toHaveLength(2);
  });

  it('refuses bad properties with one line naming the property', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ client_urls: 'localhost' }, /^etcd: property "client_urls" must be a URL or a list of URLs/],
      [{ peer_urls: ['http://127.0.0.1'] }, /^etcd: property "peer_urls" must be a URL/],
      [{ client_urls: 'http://0.0.0.0:2379' }, /^etcd: property "advertise_client_urls" is needed when "client_urls" listens on an unspecified address/],
      [{ name: 'a=b' }, /^etcd: property "name" must be a member name/],
      [{ initial_cluster: 'x=http://127.0.0.1:2380' }, /^etcd: property "initial_cluster" must list this member "etcd"/],
      [{ initial_cluster: 'etcd=http://127.0.0.9:2380' }, /^etcd: property "initial_cluster" gives member "etcd" the peer URL/],
      [{ initial_cluster: 'nonsense' }, /^etcd: property "initial_cluster" must be members such as/],
      [{ initial_cluster_state: 'old' }, /^etcd: property "initial_cluster_state" must be "new" or "existing", not "old"$/],
      [{ heartbeat_interval: 'often' }, /^etcd: property "heartbeat_interval" must be a duration/],
      [{ heartbeat_interval: '500ms' }, /^etcd: property "election_timeout" \(1000 ms\) must be at least 5 times "heartbeat_interval" \(500 ms\)$/],
      [{ extra_args: { a: 1 } }, /^etcd: property "extra_args" must be a list of arguments/],
      [{ cert_file: 'x.crt' }, /^etcd: properties "cert_file" and "key_file" go together/],
      [{ client_urls: 'https://127.0.0.1:2379' }, /^etcd: https client URLs need "cert_file" and "key_file"$/],
      [{ client_cert_auth: 'yes' }, /^etcd: "client_cert_auth: true" needs "trusted_ca_file"$/],
    ];
    for (const [props, message] of cases) {
      let thrown: unknown;
      try {
        etcdConfig(props, ctx);
      } catch (e) {
        thrown = e;
      }
      expect((thrown as Error | undefined)?.message, JSON.stringify(props)).toMatch(message);
      expect((thrown as Error).message).not.toContain('\n');
    }
  });
});

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { makeTempDir, type TempDir } from './temp-home.js';
import { killPids } from './processes.js';
import { waitFor } from './wait-for.js';

/** The test CA and the certificates made from it (PEM files in the test dir). */
export interface TestCerts {
  readonly caFile: string;
  readonly ca: Buffer;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate signed by the CA (CN=root). */
  readonly client: { readonly cert: Buffer; readonly key: Buffer };
  /** A client certificate from another CA: etcd must refuse it. */
  readonly foreign: { readonly cert: Buffer; readonly key: Buffer };
}

/** One etcd member started by a test. */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  /** The running process' pid (changes on restart). */
  readonly pid: number;
  kill(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** A one- or three-member etcd cluster on 127.0.0.1. */
export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  readonly endpoints: string[];
  readonly certs: TestCerts | undefined;
  /** Root credentials when started with `auth`. */
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  /** An etcd3 client with the cluster's credentials (closed by cleanup). */
  client(): Etcd3;
  /** SIGKILL every member and remove the temp dir (idempotent). */
  cleanup(): Promise<void>;
}

/** Options of {@link startEtcd}. */
export interface EtcdStartOptions {
  readonly members?: 1 | 3;
  /** HTTPS clients with client-certificate auth (--client-cert-auth). */
  readonly tls?: boolean;
  /** Enable user/password auth (root user with this password). */
  readonly password?: string;
}

const ETCD = '/usr/bin/etcd';

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and two client certificates (one from a foreign CA). */
export function makeTestCerts(dir: string): TestCerts {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'foreign-ca']) openssl(dir, ['req', '-x509', ...ec, '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const sign = (name: string, ca: string, ext: string): void => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'root'}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext]);
  };
  sign('server', 'ca', 'server.ext');
  sign('client', 'ca', 'client.ext');
  sign('foreign', 'foreign-ca', 'client.ext');
  const read = (f: string): Buffer => readFileSync(join(dir, f));
  return {
    caFile: join(dir, 'ca.crt'),
    ca: read('ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    client: { cert: read('client.crt'), key: read('client.key') },
    foreign: { cert: read('foreign.crt'), key: read('foreign.key') },
  };
}

function healthy(url: string, certs: TestCerts | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const options = certs ? { ca: certs.ca, cert: certs.client.cert, key: certs.client.key, timeout: 2_000 } : { timeout: 2_000 };
    const req = (url.startsWith('https') ? httpsRequest : httpRequest)(`${url}/health`, options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(/"health":\s*"true"/.test(body)));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts real etcd (Debian's etcd-server) on free 127.0.0.1 ports in a temp
 * dir and waits until every member is healthy. Call `cleanup()` in
 * afterAll/afterEach: it SIGKILLs every pid started here.
 */
export async function startEtcd(options: EtcdStartOptions = {}): Promise<EtcdCluster> {
  const temp: TempDir = makeTempDir('ens-etcd-');
  const count = options.members ?? 1;
  const certs = options.tls ? makeTestCerts(join(temp.dir, 'certs')) : undefined;
  const scheme = certs ? 'https' : 'http';
  const ports = await Promise.all(Array.from({ length: count * 2 }, () => freePort()));
  const specs = Array.from({ length: count }, (_, i) => ({ name: `m${i}`, client: ports[2 * i]!, peer: ports[2 * i + 1]! }));
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const started = new Set<number>();
  const clients: Etcd3[] = [];

  const members = specs.map((spec): EtcdMember & { start(): void; proc: ChildProcess | undefined } => {
    const clientUrl = `${scheme}://127.0.0.1:${spec.client}`;
    const dataDir = join(temp.dir, spec.name);
    const args = [
      `--name=${spec.name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${spec.peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${spec.peer}`,
      `--initial-cluster=${initialCluster}`,
      '--initial-cluster-state=new',
      `--initial-cluster-token=${temp.dir}`,
      '--heartbeat-interval=100',
      '--election-timeout=1000',
      '--logger=zap',
      '--log-outputs=stderr',
      ...(certs ? [`--cert-file=${certs.serverCert}`, `--key-file=${certs.serverKey}`, `--trusted-ca-file=${certs.caFile}`, '--client-cert-auth=true'] : []),
    ];
    const member = {
      name: spec.name,
      clientUrl,
      proc: undefined as ChildProcess | undefined,
      get pid(): number {
        return member.proc?.pid ?? -1;
      },
      start(): void {
        const log = openSync(join(temp.dir, `${spec.name}.log`), 'a');
        const proc = spawn(ETCD, args, { stdio: ['ignore', log, log] });
        closeSync(log);
        if (proc.pid !== undefined) started.add(proc.pid);
        member.proc = proc;
      },
      async kill(): Promise<void> {
        const proc = member.proc;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await exited;
      },
      async stop(): Promise<void> {
        const proc = member.proc;
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      },
      async restart(): Promise<void> {
        await member.kill();
        member.start();
        await waitFor(`etcd ${spec.name} healthy again`, () => healthy(clientUrl, certs), { timeoutMs: 60_000, intervalMs: 100 });
      },
    };
    return member;
  });

  const cluster: EtcdCluster = {
    members,
    endpoints: members.map((m) => m.clientUrl),
    certs,
    auth: undefined,
    client() {
      const c = new Etcd3({
        hosts: members.map((m) => m.clientUrl),
        ...(certs ? { credentials: { rootCertificate: certs.ca, privateKey: certs.client.key, certChain: certs.client.cert } } : {}),
        ...(cluster.auth ? { auth: cluster.auth } : {}),
      });
      clients.push(c);
      return c;
    },
    async cleanup() {
      for (const c of clients.splice(0)) c.close();
      killPids(started);
      await Promise.all(members.map((m) => m.kill()));
      temp.cleanup();
    },
  };
  try {
    for (const m of members) m.start();
    for (const m of members) await waitFor(`etcd ${m.name} healthy`, () => healthy(m.clientUrl, certs), { timeoutMs: 60_000, intervalMs: 100 });
    if (options.password !== undefined) {
      const admin = cluster.client();
      await admin.role('root').create();
      await admin.user('root').create(options.password);
      await admin.user('root').addRole('root');
      await admin.auth.authEnable();
      (cluster as { auth: EtcdCluster['auth'] }).auth = { username: 'root', password: options.password };
    }
  } catch (e) {
    await cluster.cleanup();
    throw e;
  }
  return cluster;
}

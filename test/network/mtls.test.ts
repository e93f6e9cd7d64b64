import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtos } from '../../src/wire/protos.js';
import { PeerClient } from '../../src/network/peer-client.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { startNode, waitMembers, waitUnitsReady, type NodeProcess } from '../helpers/cluster.js';

// Two supervisors authenticated by mTLS only (no token), with a CA and node
// certificates made by openssl for this test; a certificate from another CA
// and a client without a certificate are refused and logged.
const netEcho = join(REPO_ROOT, 'test/fixtures/network/net-echo.mjs');

let pki: TempHome;
const nodes: NodeProcess[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: pki.dir, stdio: 'pipe' });
}

/** A CA `name` (name.crt/name.key). */
function makeCa(name: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

/** A certificate for `name` signed by `ca` (name.crt/name.key), usable as server and client. */
function makeCert(name: string, ca: string): void {
  pki.write(`${name}.ext`, 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

const read = (f: string): Buffer => readFileSync(join(pki.dir, f));

beforeAll(async () => {
  pki = makeTempHome();
  makeCa('ca');
  makeCert('a', 'ca');
  makeCert('b', 'ca');
  makeCa('rogue-ca');
  makeCert('rogue', 'rogue-ca');
  // One file for both nodes: `{{ node }}` picks each node's certificate.
  const ensemble = `network "secure" {
  tls {
    ca: "${pki.dir}/ca.crt"
    cert: "${pki.dir}/{{ node }}.crt"
    key: "${pki.dir}/{{ node }}.key"
  }
}
runner echo "${netEcho}" on "a" {
  readiness: notify
}
`;
  const a = await startNode({ name: 'a', ensemble, env: { ENSEMBLE_NETWORK_TOKEN: '' } });
  nodes.push(a);
  nodes.push(await startNode({ name: 'b', ensemble, peers: [`127.0.0.1:${a.port}`] }));
  await waitUnitsReady(a);
  await Promise.all([waitMembers(nodes[0]!, ['b']), waitMembers(nodes[1]!, ['a'])]);
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.stop()));
  for (const n of nodes) n.home.cleanup();
  pki?.cleanup();
}, 60_000);

describe('mTLS between supervisors', { timeout: 180_000 }, () => {
  it('nodes with certificates of the network CA join and share discovery', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const found = await waitFor('echo of a to be visible on b', async () => {
      try {
        return await b.supervisor.find('echo');
      } catch {
        return null;
      }
    });
    expect(found).toMatchObject({ node: 'a', unit: 'echo' });
    const listening = a.records.find((r) => r.component === 'network' && typeof r.listen === 'string');
    expect(listening?.auth).toBe('mtls');
    // Peers authenticated by certificate keep their connections past the 5 s handshake deadline.
    await new Promise((r) => setTimeout(r, 6500));
    for (const n of [a, b]) expect(n.records.filter((r) => String(r.msg ?? '').startsWith('closed a network connection'))).toEqual([]);
  });

  it('a certificate of another CA, and no certificate at all, are refused and logged', async () => {
    const a = nodes[0]!;
    const rogue = new PeerClient(`127.0.0.1:${a.port}`, { token: null, tls: { ca: read('ca.crt'), cert: read('rogue.crt'), key: read('rogue.key') }, heartbeatMs: 1000 }, () => 'a');
    try {
      await expect(rogue.listUnits(10_000)).rejects.toMatchObject({ code: 'ENS_E_PERMISSION', message: expect.stringContaining('no client certificate signed by the network CA') });
    } finally {
      rogue.close();
    }
    const logged = await a.waitRecord('a to log the refused certificate', (r) => r.reason === 'no client certificate signed by the network CA');
    expect(logged.msg).toMatch(/^refused a network call from 127\.0\.0\.1: /);

    const Peer = loadProtos().Peer;
    const noCert = new Peer(`127.0.0.1:${a.port}`, grpc.credentials.createSsl(read('ca.crt'), null, null, { checkServerIdentity: () => undefined }));
    try {
      const code = await new Promise<number>((resolve) =>
        (noCert as unknown as { ListUnits(req: object, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void): void }).ListUnits({}, { deadline: Date.now() + 10_000 }, (e) =>
          resolve(e?.code ?? grpc.status.OK),
        ),
      );
      expect(code).toBe(grpc.status.UNAUTHENTICATED);
    } finally {
      noCert.close();
    }

    // Plaintext to a TLS listener gets nowhere.
    const plain = new PeerClient(`127.0.0.1:${a.port}`, { token: null, tls: null, heartbeatMs: 1000 }, () => 'a');
    try {
      await expect(plain.listUnits(5000)).rejects.toMatchObject({ code: 'ENS_E_UNREACHABLE' });
    } finally {
      plain.close();
    }
    for (const n of nodes) expect(n.output()).not.toContain('PRIVATE KEY');
  });
});

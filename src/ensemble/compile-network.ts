import path from 'node:path';
import { FieldReader } from './field-reader.js';
import type { NetworkSpec, TlsSpec } from './plan.js';
import type { Reporter } from './reporter.js';
import type { NetworkNode } from './syntax/ast.js';
import { unitNameProblem } from './unit-name.js';

const NETWORK_FIELDS = ['listen', 'peers', 'token', 'tls'];
const TLS_FIELDS = ['ca', 'cert', 'key'];

function addressProblem(a: string): string | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):(\d+)$/.exec(a);
  if (!m) return `"${a}" is not an address (host:port, [ipv6]:port)`;
  const port = Number(m[2]);
  return port >= 0 && port <= 65535 ? null : `"${a}" has an invalid port`;
}

/** Compile the `network` block. Relative TLS paths resolve against the declaring file. */
export function compileNetwork(node: NetworkNode, r: Reporter): NetworkSpec {
  const baseDir = path.dirname(node.origin.file);
  const nameProblem = unitNameProblem(node.name);
  if (nameProblem) r.invalid(node.pos, `network ${nameProblem}`);
  const reader = new FieldReader(node.fields, NETWORK_FIELDS, 'network.', r);
  const listen = reader.string('listen') ?? null;
  if (listen !== null) {
    const p = addressProblem(listen);
    if (p) reader.problem('listen', p);
  }
  const peers: string[] = [];
  const pv = reader.field('peers')?.value;
  if (pv) {
    const items = pv.kind === 'list' ? pv.items : [pv];
    for (const item of items) {
      if (item.kind !== 'string') {
        reader.wrong('peers', 'addresses such as ["10.0.0.2:7600"]', item);
        continue;
      }
      const p = addressProblem(item.value);
      if (p) reader.problem('peers', p, item.pos);
      else peers.push(item.value);
    }
  }
  const token = reader.string('token') ?? null;
  if (token === '') reader.problem('token', 'must not be empty (leave it out for no token)');
  let tls: TlsSpec | null = null;
  const tlsFields = reader.block('tls');
  if (tlsFields) {
    const t = new FieldReader(tlsFields, TLS_FIELDS, 'network.tls.', r);
    const get = (k: string): string => {
      const v = t.string(k);
      if (v === undefined && !t.has(k)) r.invalid(reader.field('tls')?.keyPos ?? node.pos, `network.tls: "${k}" is required (ca, cert and key)`);
      return v === undefined ? '' : path.resolve(baseDir, v);
    };
    tls = { ca: get('ca'), cert: get('cert'), key: get('key') };
  }
  return { name: node.name, listen, peers, token: token === '' ? null : token, tls, source: node.pos };
}

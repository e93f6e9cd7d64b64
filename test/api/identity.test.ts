import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { IdentityAuthority } from '../../src/api/identity-assertion.js';
import { loadProtos } from '../../src/wire/protos.js';
import { waitFor } from '../helpers/wait-for.js';
import { rawCall } from '../helpers/grpc-call.js';
import { startSystem, type RunningSystem } from '../helpers/system-harness.js';

const HOLDER = join(dirname(dirname(fileURLToPath(import.meta.url))), 'fixtures', 'identity', 'identity-holder.mjs');

let sys: RunningSystem | null = null;
const clients: grpc.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sys?.close();
  sys = null;
});

function holder(name: string): string {
  return `runner ${name} "${HOLDER}" {\n  readiness: notify\n}\n`;
}

/** The `ENSEMBLE_TOKEN` a running unit process received (from /proc: the test plays a snooping observer). */
function tokenOf(pid: number): string {
  const vars = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const line = vars.find((v) => v.startsWith('ENSEMBLE_TOKEN='));
  if (!line) throw new Error(`process ${pid} has no ENSEMBLE_TOKEN`);
  return line.slice('ENSEMBLE_TOKEN='.length);
}

interface Api {
  supervisor: grpc.Client;
  /** A fresh assertion of `unit` (an identity-holder fixture) for `audience`. */
  assertion(unit: string, audience: string, ttlMs?: number): Promise<string>;
  verify(assertion: string, audience: string): Promise<{ unit?: string; instance?: string; expiresAtMs?: number; code?: grpc.status; details?: string }>;
}

async function api(s: RunningSystem): Promise<Api> {
  const protos = loadProtos();
  const supervisor = new protos.Supervisor(s.home.paths.apiAddress, grpc.credentials.createInsecure());
  clients.push(supervisor);
  return {
    supervisor,
    async assertion(unit, audience, ttlMs = 0) {
      const { address } = await s.client.find(`${unit}.resources`);
      const resources = new protos.Resources(address, grpc.credentials.createInsecure());
      clients.push(resources);
      const w = await rawCall(resources, 'Write', { path: 'request', value: `${audience} ${ttlMs}` });
      if (w.err) throw w.err;
      const r = await rawCall<{ value: string }>(resources, 'Read', { path: 'assertion' });
      if (r.err) throw r.err;
      return r.res!.value;
    },
    async verify(assertion, audience) {
      const out = await rawCall<{ unit: string; instance: string; expiresAtMs: number }>(supervisor, 'VerifyIdentity', { assertion, audience });
      return out.err ? { code: out.err.code, details: out.err.details } : out.res!;
    },
  };
}

describe('Supervisor IssueIdentity / VerifyIdentity', () => {
  it('an assertion proves its unit to its audience only, and never carries the token', async () => {
    sys = await startSystem(holder('alice') + holder('bob'));
    const a = await api(sys);
    const assertion = await a.assertion('alice', 'events');
    const ok = await a.verify(assertion, 'events');
    expect(ok.code).toBeUndefined();
    expect(ok.unit).toBe('alice');
    expect(ok.instance).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(ok.expiresAtMs).toBeGreaterThan(Date.now());
    expect(ok.expiresAtMs).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

    // Bob's assertion names bob.
    expect((await a.verify(await a.assertion('bob', 'events'), 'events')).unit).toBe('bob');

    // Presented to another audience: refused.
    const other = await a.verify(assertion, 'store');
    expect(other.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(other.details).toMatch(/audience "events", not "store"/);

    // The token is nowhere in the assertion, not even in its decoded claims.
    const token = tokenOf(sys.supervisor.getUnit('alice').pid!);
    const decoded = assertion.split('.').map((p) => Buffer.from(p, 'base64url').toString('latin1')).join('|');
    expect(assertion).not.toContain(token);
    expect(decoded).not.toContain(token);
    expect(ok.instance).not.toContain(token);
  });

  it('refuses forged, tampered and foreign assertions', async () => {
    sys = await startSystem(holder('alice'));
    const a = await api(sys);
    const assertion = await a.assertion('alice', 'events');
    const [format, claims, mac] = assertion.split('.') as [string, string, string];

    // Claim another unit with the original signature.
    const body = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>;
    const renamed = Buffer.from(JSON.stringify({ ...body, sub: 'bob' })).toString('base64url');
    // Extend the expiry with the original signature.
    const extended = Buffer.from(JSON.stringify({ ...body, exp: Number(body.exp) + 3_600_000 })).toString('base64url');
    // A well-formed assertion signed with another secret (another supervisor).
    const foreign = new IdentityAuthority({ unitForToken: () => 'alice' }).issue('alice', 'x', 'events').assertion;
    const flipped = mac.slice(0, -2) + (mac.at(-2) === 'A' ? 'B' : 'A') + mac.at(-1);

    for (const forged of [`${format}.${renamed}.${mac}`, `${format}.${extended}.${mac}`, `${format}.${claims}.${flipped}`, foreign, 'garbage', `${format}.${claims}`, '']) {
      const res = await a.verify(forged, 'events');
      expect(res.code, forged).toBe(grpc.status.PERMISSION_DENIED);
      expect(res.unit).toBeUndefined();
    }
    // The genuine one still works.
    expect((await a.verify(assertion, 'events')).unit).toBe('alice');
  });

  it('refuses an expired assertion and one of a unit that has restarted since', async () => {
    sys = await startSystem(holder('alice'));
    const a = await api(sys);
    const short = await a.assertion('alice', 'events', 300);
    const { expiresAtMs } = await a.verify(short, 'events');
    expect(expiresAtMs).toBeLessThanOrEqual(Date.now() + 300);
    await waitFor('the short assertion to pass its expiry', () => Date.now() > expiresAtMs! + 50, { timeoutMs: 10_000 });
    const expired = await a.verify(short, 'events');
    expect(expired.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(expired.details).toMatch(/expired/);

    const before = await a.assertion('alice', 'events');
    const first = await a.verify(before, 'events');
    expect(first.unit).toBe('alice');
    const restarted = await sys.client.control('restart', 'alice');
    expect(restarted.state).toBe('ready');
    const stale = await a.verify(before, 'events');
    expect(stale.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(stale.details).toMatch(/no longer running/);
    // The new start gets a working assertion with another instance id.
    const fresh = await a.verify(await a.assertion('alice', 'events'), 'events');
    expect(fresh.unit).toBe('alice');
    expect(fresh.instance).not.toBe(first.instance);
  });

  it('issues only to a unit with its token, for a valid audience', async () => {
    sys = await startSystem(holder('alice'));
    const a = await api(sys);
    const none = await rawCall(a.supervisor, 'IssueIdentity', { audience: 'events' });
    expect(none.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    const wrong = await rawCall(a.supervisor, 'IssueIdentity', { audience: 'events' }, 'not-a-token');
    expect(wrong.err?.code).toBe(grpc.status.PERMISSION_DENIED);

    const token = tokenOf(sys.supervisor.getUnit('alice').pid!);
    const bad = await rawCall(a.supervisor, 'IssueIdentity', { audience: 'a/b' }, token);
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    const long = await rawCall<{ assertion: string; expiresAtMs: number }>(a.supervisor, 'IssueIdentity', { audience: 'events', ttlMs: 24 * 3_600_000 }, token);
    expect(long.res?.expiresAtMs).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect((await a.verify(long.res!.assertion, 'events')).unit).toBe('alice');
  });
});

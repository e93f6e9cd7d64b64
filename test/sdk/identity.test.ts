import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { advertisedHost } from '../../src/sdk/advertised-host.js';
import { startSystem, waitLogLine, type RunningSystem } from '../helpers/system-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const FIXTURES = join(dirname(dirname(fileURLToPath(import.meta.url))), 'fixtures', 'identity');

let sys: RunningSystem | null = null;
afterEach(async () => {
  await sys?.close();
  sys = null;
});

function runner(name: string, file: string, body = ''): string {
  return `runner ${name} "${join(FIXTURES, file)}" {\n  readiness: notify\n  ${body}\n}\n`;
}

/** Every log line of `unit` so far. */
function lines(s: RunningSystem, unit: string): string[] {
  return s.supervisor.tailLogs(unit, 100_000).map((l) => l.line);
}

describe('SDK identityFor / callerIdentity', () => {
  it('a server learns the calling unit from its assertion; no assertion or another audience is refused', async () => {
    sys = await startSystem(
      runner('echo', 'identity-echo.mjs') +
        runner('alice', 'identity-caller.mjs', 'depends_on: [echo]') +
        runner('anon', 'identity-caller.mjs', 'depends_on: [echo]\n  properties { identity: false }') +
        runner('stray', 'identity-caller.mjs', 'depends_on: [echo]\n  properties { audience: "store" }'),
    );
    await waitLogLine(sys, 'alice', /^reply: alice \d+$/);
    await waitLogLine(sys, 'echo', /^caller alice instance [A-Za-z0-9_-]+$/);
    await waitLogLine(sys, 'anon', /^call failed: 7 .*needs the caller's identity assertion for "echo"/);
    await waitLogLine(sys, 'stray', /^call failed: 7 .*audience "store", not "echo"/);
    expect(lines(sys, 'anon').some((l) => l.startsWith('reply'))).toBe(false);
    expect(lines(sys, 'stray').some((l) => l.startsWith('reply'))).toBe(false);
    expect(lines(sys, 'echo').some((l) => /caller (anon|stray)/.test(l))).toBe(false);
  });

  it('the client renews its assertion before it expires: calls keep working across several lifetimes', async () => {
    sys = await startSystem(runner('echo', 'identity-echo.mjs') + runner('alice', 'identity-caller.mjs', 'depends_on: [echo]\n  properties { ttl_ms: 1500 }'));
    // Each reply carries the expiry of the assertion the call presented.
    const expiries = await waitFor(
      'replies under three different assertions',
      () => {
        const seen = new Set(lines(sys!, 'alice').flatMap((l) => /^reply: alice (\d+)$/.exec(l)?.[1] ?? []));
        return seen.size >= 3 ? [...seen].map(Number) : null;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(expiries.length).toBeGreaterThanOrEqual(3);
    expect(lines(sys, 'alice').filter((l) => l.startsWith('call failed'))).toEqual([]);
  });

  it('serve() binds ENSEMBLE_BIND_HOST when set, and registers that address', async () => {
    sys = await startSystem(runner('echo', 'identity-echo.mjs', 'env { ENSEMBLE_BIND_HOST: "127.0.0.2" }') + runner('alice', 'identity-caller.mjs', 'depends_on: [echo]'));
    const found = await sys.client.find('echo');
    expect(found.address).toMatch(/^127\.0\.0\.2:\d+$/);
    // Reachable there: the caller's calls go through discovery to that address.
    await waitLogLine(sys, 'alice', /^reply: alice \d+$/);
    // Without the variable the default stays loopback 127.0.0.1.
    expect((await sys.client.find('alice.resources')).address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('a wildcard bind host registers the machine\'s first non-internal address (loopback when it has none)', () => {
    // Pure: tests bind loopback only, so the wildcard case is checked on the address choice itself.
    const lo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' } as const;
    const v6 = { address: 'fd00::2', netmask: 'ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00::2/64', scopeid: 0 } as const;
    const v4 = { address: '10.0.0.2', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.0.0.2/24' } as const;
    expect(advertisedHost('0.0.0.0', { lo: [lo], eth0: [v6, v4] })).toBe('10.0.0.2');
    expect(advertisedHost('::', { lo: [lo], eth0: [v6] })).toBe('fd00::2');
    expect(advertisedHost('0.0.0.0', { lo: [lo] })).toBe('127.0.0.1');
    expect(advertisedHost('10.0.0.9', { eth0: [v4] })).toBe('10.0.0.9');
  });
});

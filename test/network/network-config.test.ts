import { writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { NetworkSpec, Plan } from '../../src/ensemble/plan.js';
import { resolveNetworkConfig } from '../../src/network/network-config.js';
import { hostOfPeer, isLoopbackHost, parseHostPort, resolveAdvertised } from '../../src/network/peer-address.js';
import { NETWORK_TOKEN_HEADER, refusalReason, tokensEqual } from '../../src/network/peer-auth.js';
import { makeTempHome } from '../helpers/temp-home.js';

const home = makeTempHome();
afterAll(() => home.cleanup());

function plan(network: Partial<NetworkSpec> | null, node = 'edge-1'): Plan {
  return {
    file: home.file,
    node,
    units: [],
    elsewhere: [],
    network: network ? { name: 'plant', listen: null, peers: [], token: null, tls: null, source: { file: home.file, line: 1, column: 1 }, ...network } : null,
    params: {},
    files: [home.file],
  };
}

describe('network configuration', () => {
  it('is off without a network block or --listen, and --peer alone is refused', () => {
    expect(resolveNetworkConfig(plan(null), {}, {})).toBeNull();
    expect(() => resolveNetworkConfig(plan(null), { peers: ['10.0.0.2:7600'] }, {})).toThrow(/--peer needs --listen/);
  });

  it('merges the block with the flags; the token comes from the block, else ENSEMBLE_NETWORK_TOKEN', () => {
    const c = resolveNetworkConfig(plan({ peers: ['10.0.0.2:7600'], token: 'from-file' }), { listen: '127.0.0.1:0', peers: ['[::1]:7601', '10.0.0.2:7600'] }, {});
    expect(c).toMatchObject({ name: 'plant', node: 'edge-1', listen: { host: '127.0.0.1', port: 0 }, seeds: ['10.0.0.2:7600', '[::1]:7601'], token: 'from-file', heartbeatMs: 1000, timeoutMs: 5000 });
    const flagsOnly = resolveNetworkConfig(plan(null), { listen: '0.0.0.0:7600' }, { ENSEMBLE_NETWORK_TOKEN: 'from-env' });
    expect(flagsOnly).toMatchObject({ name: 'default', token: 'from-env', listen: { host: '0.0.0.0', port: 7600 } });
    expect(resolveNetworkConfig(plan({}), {}, { ENSEMBLE_NETWORK_TOKEN: 't' })?.listen).toEqual({ host: '0.0.0.0', port: 7600 });
  });

  it('needs a token or TLS, readable TLS files, a usable node name and sane timings', () => {
    expect(() => resolveNetworkConfig(plan({}), {}, {})).toThrow(/needs a token .* or tls/);
    expect(() => resolveNetworkConfig(plan({ tls: { ca: '/nonexistent/ca.crt', cert: '/x', key: '/y' } }), {}, {})).toThrow(/network\.tls\.ca: cannot read \/nonexistent\/ca\.crt: ENOENT/);
    const pem = home.write('x.pem', 'pem');
    writeFileSync(pem, 'pem');
    expect(resolveNetworkConfig(plan({ tls: { ca: pem, cert: pem, key: pem } }), {}, {})?.tls?.ca.toString()).toBe('pem');
    expect(() => resolveNetworkConfig(plan({ token: 't' }, 'bad/name'), {}, {})).toThrow(/choose another one with --node/);
    expect(() => resolveNetworkConfig(plan({ token: 't' }), { listen: 'nowhere' }, {})).toThrow(/--listen: "nowhere" is not an address/);
    expect(resolveNetworkConfig(plan({ token: 't' }), {}, { ENSEMBLE_NETWORK_HEARTBEAT: '200ms' })).toMatchObject({ heartbeatMs: 200, timeoutMs: 1000 });
    expect(() => resolveNetworkConfig(plan({ token: 't' }), {}, { ENSEMBLE_NETWORK_HEARTBEAT: '1s', ENSEMBLE_NETWORK_TIMEOUT: '1s' })).toThrow(/at least twice the heartbeat/);
    // docs/network.md: language durations or a bare number of milliseconds, at least 10ms
    const env = (heartbeat: string, timeout = '1h') => resolveNetworkConfig(plan({ token: 't' }), {}, { ENSEMBLE_NETWORK_HEARTBEAT: heartbeat, ENSEMBLE_NETWORK_TIMEOUT: timeout });
    expect(['500', '500ms', '0.5s', '1m', ' 2s '].map((h) => env(h)?.heartbeatMs)).toEqual([500, 500, 500, 60_000, 2000]);
    expect(env('1s', '2h')?.timeoutMs).toBe(7_200_000);
    expect(() => env('5ms')).toThrow(/ENSEMBLE_NETWORK_HEARTBEAT: "5ms" is too short \(at least 10ms\)/);
    expect(() => env('fast')).toThrow(/ENSEMBLE_NETWORK_HEARTBEAT: "fast" is not a duration \(e\.g\. 500ms, 2s\)/);
  });
});

describe('peer addresses', () => {
  it('parses, recognises loopback and fills a wildcard host from the connection', () => {
    expect(parseHostPort('[::1]:7600', 'x')).toEqual({ host: '::1', port: 7600 });
    expect(parseHostPort(':7600', 'x')).toEqual({ host: '', port: 7600 });
    expect(isLoopbackHost('127.0.0.5')).toBe(true);
    expect(isLoopbackHost('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(hostOfPeer('ipv4:10.1.2.3:5555')).toBe('10.1.2.3');
    expect(hostOfPeer('[::ffff:10.1.2.3]:5555')).toBe('10.1.2.3');
    expect(resolveAdvertised(':7600', '10.1.2.3')).toBe('10.1.2.3:7600');
    expect(resolveAdvertised('10.9.9.9:7600', '10.1.2.3')).toBe('10.9.9.9:7600');
    expect(resolveAdvertised(':7600', null)).toBeNull();
  });
});

describe('peer authentication', () => {
  const md = (token?: string): grpc.Metadata => {
    const m = new grpc.Metadata();
    if (token !== undefined) m.set(NETWORK_TOKEN_HEADER, token);
    return m;
  };
  it('compares tokens in constant time and names what is wrong, never the secret', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    const policy = { token: 's3cret', tls: false };
    expect(refusalReason(policy, md('s3cret'), null)).toBeNull();
    expect(refusalReason(policy, md(), null)).toMatch(/^no network token/);
    expect(refusalReason(policy, md('guess'), null)).toBe('wrong network token');
    expect(refusalReason({ token: null, tls: true }, md(), {})).toBe('no client certificate signed by the network CA');
  });
});

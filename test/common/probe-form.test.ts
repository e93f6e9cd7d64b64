import { describe, expect, it } from 'vitest';
import { parseProbe, readProbe } from '../../src/common/probe-form.js';

describe('readProbe: every form of docs/health.md "Health probes"', () => {
  it('grpc and grpc:SERVICE', () => {
    expect(readProbe('grpc')).toEqual({ type: 'grpc', service: '' });
    expect(readProbe('grpc:ensemble.store.v1.Store')).toEqual({ type: 'grpc', service: 'ensemble.store.v1.Store' });
  });

  it('tcp:PORT, tcp:HOST:PORT, tcp:[IPV6]:PORT (host default 127.0.0.1)', () => {
    expect(readProbe('tcp:8080')).toEqual({ type: 'tcp', host: '127.0.0.1', port: 8080 });
    expect(readProbe('tcp:db.local:5432')).toEqual({ type: 'tcp', host: 'db.local', port: 5432 });
    expect(readProbe('tcp:10.0.0.1:1')).toEqual({ type: 'tcp', host: '10.0.0.1', port: 1 });
    expect(readProbe('tcp:[::1]:65535')).toEqual({ type: 'tcp', host: '::1', port: 65535 });
  });

  it('http://… and https://…', () => {
    const http = readProbe('http://127.0.0.1:8080/healthz');
    expect(http).toMatchObject({ type: 'http' });
    expect('url' in http && http.url.href).toBe('http://127.0.0.1:8080/healthz');
    expect(readProbe('https://example.test/')).toMatchObject({ type: 'http' });
  });

  it('exec:COMMAND, split like sh splits words', () => {
    expect(readProbe(`exec:test -f "/tmp/a b" 'c'`)).toEqual({ type: 'exec', argv: ['test', '-f', '/tmp/a b', 'c'] });
  });

  it('ignores blanks around the text', () => {
    expect(readProbe('  tcp:80 ')).toEqual({ type: 'tcp', host: '127.0.0.1', port: 80 });
  });

  it('says in one line what is wrong with anything else', () => {
    expect(readProbe('ftp://x')).toEqual({ problem: 'invalid probe "ftp://x": expected grpc, grpc:SERVICE, tcp:PORT, tcp:HOST:PORT, tcp:[IPV6]:PORT, http://…, https://… or exec:COMMAND' });
    expect(readProbe('tcp:x')).toEqual({ problem: 'invalid probe "tcp:x": "x" is not a port number' });
    expect(readProbe('tcp:0')).toEqual({ problem: 'invalid probe "tcp:0": port 0 is out of range 1-65535' });
    expect(readProbe('tcp:65536')).toEqual({ problem: 'invalid probe "tcp:65536": port 65536 is out of range 1-65535' });
    expect(readProbe('tcp:::1:80')).toEqual({ problem: 'invalid probe "tcp:::1:80": write an IPv6 host in brackets ([ADDRESS]:PORT)' });
    expect(readProbe('http://')).toEqual({ problem: 'invalid probe "http://": not a valid URL' });
    expect(readProbe('exec:  ')).toEqual({ problem: 'invalid probe "exec:  ": exec: needs a command' });
    expect(readProbe(`exec:echo 'x`)).toEqual({ problem: `invalid probe "exec:echo 'x": unterminated single quote` });
  });

  it('parseProbe throws the same problem as ENS_E_INVALID_ARGUMENT', () => {
    expect(() => parseProbe('nope')).toThrow(expect.objectContaining({ code: 'ENS_E_INVALID_ARGUMENT', message: expect.stringMatching(/^invalid probe "nope": expected grpc/) }));
    expect(parseProbe('grpc')).toEqual({ type: 'grpc', service: '' });
  });
});

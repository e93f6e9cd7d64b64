import { describe, expect, it } from 'vitest';
import { readHostPort } from '../../src/common/host-port.js';
import { parseListenAddress } from '../../src/health/metrics.js';

const dial = { defaultHost: '127.0.0.1', minPort: 1 } as const;

describe('readHostPort', () => {
  it('reads PORT, HOST:PORT and [IPV6]:PORT', () => {
    expect(readHostPort('8080', dial)).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(readHostPort('db.local:5432', dial)).toEqual({ host: 'db.local', port: 5432 });
    expect(readHostPort(' 10.0.0.1:1 ', dial)).toEqual({ host: '10.0.0.1', port: 1 });
    expect(readHostPort('[::1]:65535', dial)).toEqual({ host: '::1', port: 65535 });
    expect(readHostPort('[fe80::1%eth0]:80', dial)).toEqual({ host: 'fe80::1%eth0', port: 80 });
  });

  it('says what is wrong in a phrase', () => {
    expect(readHostPort('::1:80', dial)).toEqual({ problem: 'write an IPv6 host in brackets ([ADDRESS]:PORT)' });
    expect(readHostPort(':80', dial)).toEqual({ problem: 'write an IPv6 host in brackets ([ADDRESS]:PORT)' });
    expect(readHostPort('host:', dial)).toEqual({ problem: '"" is not a port number' });
    expect(readHostPort('host:http', dial)).toEqual({ problem: '"http" is not a port number' });
    expect(readHostPort('-1', dial)).toEqual({ problem: '"-1" is not a port number' });
    expect(readHostPort('0', dial)).toEqual({ problem: 'port 0 is out of range 1-65535' });
    expect(readHostPort('65536', dial)).toEqual({ problem: 'port 65536 is out of range 1-65535' });
  });

  it('takes port 0 where the caller allows it (a listener on a free port: --metrics)', () => {
    expect(readHostPort('0', { defaultHost: '127.0.0.1', minPort: 0 })).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(() => parseListenAddress('nowhere:x')).toThrow(/^invalid metrics address "nowhere:x": "x" is not a port number$/);
  });
});

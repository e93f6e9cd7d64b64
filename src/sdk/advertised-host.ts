import { networkInterfaces } from 'node:os';

/** True for hosts that mean "every interface". */
export function isWildcardBindHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * The host to register for a server bound to `host`. A specific address is
 * registered as it is. A wildcard (`0.0.0.0`, `::`) is no address anyone can
 * call, so — like Consul's and Nomad's advertise address — the first
 * non-internal address of the machine is registered instead (IPv4 first for
 * `0.0.0.0`; IPv6 also for `::`), falling back to loopback when the machine
 * has none. Bind the node's own address when it has several interfaces.
 */
export function advertisedHost(host: string, interfaces = networkInterfaces()): string {
  if (!isWildcardBindHost(host)) return host;
  const all = Object.values(interfaces).flatMap((list) => list ?? []).filter((i) => !i.internal);
  const v4 = all.find((i) => i.family === 'IPv4');
  if (v4) return v4.address;
  const v6 = host === '0.0.0.0' ? undefined : all.find((i) => i.family === 'IPv6' && !i.address.toLowerCase().startsWith('fe80:'));
  if (v6) return v6.address;
  return host === '0.0.0.0' ? '127.0.0.1' : '::1';
}

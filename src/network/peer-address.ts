import { InvalidArgumentError } from '../common/errors.js';

/** A TCP address split into host and port (IPv6 hosts without brackets). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parse `host:port`, `[v6]:port` or `:port` (empty host). Throws InvalidArgumentError naming `what`. */
export function parseHostPort(address: string, what: string): HostPort {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`${what}: "${address}" is not an address (host:port or [ipv6]:port)`);
  return { host: m[1] ?? m[2] ?? '', port };
}

/** `host:port`, bracketing IPv6 hosts. */
export function formatHostPort({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** True for addresses that mean "every interface" (`0.0.0.0`, `::`, empty). */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** True for loopback hosts (127/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').replace(/^::ffff:/i, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The host of a gRPC peer string (`ipv4:1.2.3.4:5`, `1.2.3.4:5`, `[::ffff:1.2.3.4]:5`), or null. */
export function hostOfPeer(peer: string): string | null {
  const bare = peer.replace(/^(ipv4|ipv6):/, '');
  try {
    const { host } = parseHostPort(bare, 'peer');
    return host.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') || null;
  } catch {
    return null;
  }
}

/**
 * Where a member is reached: its advertised address, with an empty host
 * (it listens on a wildcard address) replaced by `fallbackHost` (the host the
 * call came from, or the host we dialled).
 */
export function resolveAdvertised(advertised: string, fallbackHost: string | null): string | null {
  try {
    const hp = parseHostPort(advertised, 'advertised address');
    if (!isWildcardHost(hp.host)) return formatHostPort(hp);
    return fallbackHost ? formatHostPort({ host: fallbackHost, port: hp.port }) : null;
  } catch {
    return null;
  }
}

/** A TCP address split into host and port (an IPv6 host without its brackets). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** How {@link readHostPort} completes and checks an address. */
export interface HostPortRules {
  /** The host when only the port is written. */
  readonly defaultHost: string;
  /** The lowest port accepted: 0 for a listener (a free port), 1 for an address to dial. */
  readonly minPort: 0 | 1;
}

/**
 * Read `PORT`, `HOST:PORT` or `[IPV6]:PORT` (blanks around are ignored).
 * Returns a problem phrase (`"x" is not a port number`) when the text is
 * none of these.
 * (The network's `host:port` of members and peers is stricter: see
 * network/peer-address.ts.)
 */
export function readHostPort(text: string, rules: HostPortRules): HostPort | { readonly problem: string } {
  let host = rules.defaultHost;
  let portText = text.trim();
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(portText);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
  } else if (portText.includes(':')) {
    const at = portText.lastIndexOf(':');
    host = portText.slice(0, at);
    portText = portText.slice(at + 1);
    if (host === '' || host.includes(':')) return { problem: 'write an IPv6 host in brackets ([ADDRESS]:PORT)' };
  }
  if (!/^\d+$/.test(portText)) return { problem: `"${portText}" is not a port number` };
  const port = Number(portText);
  if (port < rules.minPort || port > 65535) return { problem: `port ${portText} is out of range ${rules.minPort}-65535` };
  return { host, port };
}

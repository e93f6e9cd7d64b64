import { InvalidArgumentError } from '../errors.js';
import { splitWords } from './split-words.js';

/** A `health { probe: … }` value, parsed. */
export type ProbeForm =
  | { readonly type: 'grpc'; readonly service: string }
  | { readonly type: 'tcp'; readonly host: string; readonly port: number }
  | { readonly type: 'http'; readonly url: URL }
  | { readonly type: 'exec'; readonly argv: readonly string[] };

/** Default host of `tcp:PORT`. */
export const DEFAULT_TCP_HOST = '127.0.0.1';

/**
 * Parse a probe specification: `grpc` (or `grpc:SERVICE` to ask about one
 * service), `tcp:PORT`, `tcp:HOST:PORT`, `tcp:[IPV6]:PORT`, `http://…`,
 * `https://…`, `exec:COMMAND`. Throws `InvalidArgumentError` (ENS_E_INVALID_ARGUMENT)
 * with a one-line message when the text is none of these.
 */
export function parseProbe(spec: string): ProbeForm {
  const text = spec.trim();
  if (text === 'grpc') return { type: 'grpc', service: '' };
  if (text.startsWith('grpc:')) return { type: 'grpc', service: text.slice(5) };
  if (text.startsWith('tcp:')) return parseTcp(text.slice(4), spec);
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new InvalidArgumentError(`invalid probe "${spec}": not a valid URL`);
    }
    return { type: 'http', url };
  }
  if (text.startsWith('exec:')) {
    let argv: string[];
    try {
      argv = splitWords(text.slice(5));
    } catch (error) {
      throw new InvalidArgumentError(`invalid probe "${spec}": ${(error as Error).message}`);
    }
    if (argv.length === 0) throw new InvalidArgumentError(`invalid probe "${spec}": exec: needs a command`);
    return { type: 'exec', argv };
  }
  throw new InvalidArgumentError(`invalid probe "${spec}": expected grpc, tcp:PORT, tcp:HOST:PORT, http://…, https://… or exec:COMMAND`);
}

function parseTcp(rest: string, spec: string): ProbeForm {
  let host = DEFAULT_TCP_HOST;
  let portText = rest;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
  } else if (rest.includes(':')) {
    const at = rest.lastIndexOf(':');
    host = rest.slice(0, at);
    portText = rest.slice(at + 1);
    if (host === '' || host.includes(':')) throw new InvalidArgumentError(`invalid probe "${spec}": write IPv6 hosts as tcp:[ADDRESS]:PORT`);
  }
  if (!/^\d+$/.test(portText)) throw new InvalidArgumentError(`invalid probe "${spec}": "${portText}" is not a port number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new InvalidArgumentError(`invalid probe "${spec}": port ${port} is out of range 1-65535`);
  return { type: 'tcp', host, port };
}

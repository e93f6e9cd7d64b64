import { InvalidArgumentError } from './errors.js';
import { readHostPort } from './host-port.js';
import { splitShellWords } from './shell-words.js';

/** A `health { probe: … }` value, parsed. */
export type ProbeForm =
  | { readonly type: 'grpc'; readonly service: string }
  | { readonly type: 'tcp'; readonly host: string; readonly port: number }
  | { readonly type: 'http'; readonly url: URL }
  | { readonly type: 'exec'; readonly argv: readonly string[] };

/** Default host of `tcp:PORT`. */
export const DEFAULT_TCP_HOST = '127.0.0.1';

/** Every form a probe may take, for messages. */
export const PROBE_FORMS = 'grpc, grpc:SERVICE, tcp:PORT, tcp:HOST:PORT, tcp:[IPV6]:PORT, http://…, https://… or exec:COMMAND';

/**
 * Read a probe specification, the one reader of both the compiler's check and
 * the runtime: `grpc` (or `grpc:SERVICE` to ask about one service),
 * `tcp:PORT`, `tcp:HOST:PORT`, `tcp:[IPV6]:PORT`, `http://…`, `https://…`,
 * `exec:COMMAND` (blanks around the text are ignored). Returns the form, or a
 * one-line problem (`invalid probe "tcp:x": "x" is not a port number`).
 */
export function readProbe(spec: string): ProbeForm | { readonly problem: string } {
  const text = spec.trim();
  const invalid = (why: string) => ({ problem: `invalid probe "${spec}": ${why}` });
  if (text === 'grpc') return { type: 'grpc', service: '' };
  if (text.startsWith('grpc:')) return { type: 'grpc', service: text.slice(5) };
  if (text.startsWith('tcp:')) {
    const address = readHostPort(text.slice(4), { defaultHost: DEFAULT_TCP_HOST, minPort: 1 });
    return 'problem' in address ? invalid(address.problem) : { type: 'tcp', ...address };
  }
  if (/^https?:\/\//i.test(text)) {
    try {
      return { type: 'http', url: new URL(text) };
    } catch {
      return invalid('not a valid URL');
    }
  }
  if (text.startsWith('exec:')) {
    const split = splitShellWords(text.slice(5));
    if ('error' in split) return invalid(split.error);
    if (split.words.length === 0) return invalid('exec: needs a command');
    return { type: 'exec', argv: split.words };
  }
  return invalid(`expected ${PROBE_FORMS}`);
}

/** {@link readProbe}, throwing `InvalidArgumentError` (ENS_E_INVALID_ARGUMENT) with the problem. */
export function parseProbe(spec: string): ProbeForm {
  const form = readProbe(spec);
  if ('problem' in form) throw new InvalidArgumentError(form.problem);
  return form;
}

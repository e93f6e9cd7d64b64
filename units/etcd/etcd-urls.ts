import { PropertyError, type Properties } from '../common/properties.js';

/** What a URL property expects, in the one-line error. */
const URLS_EXPECTED = 'a URL or a list of URLs such as "http://127.0.0.1:2379" (http or https, with a port)';

/**
 * A list of etcd URLs: a string (several separated by commas, as etcd's own
 * flags take them) or a list of strings. Each is `http://HOST:PORT` or
 * `https://HOST:PORT` with nothing after the port. Returns null when absent.
 */
export function urlListProperty(props: Properties, name: string, owner: string): string[] | null {
  const value = props[name];
  if (value === undefined) return null;
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : null;
  if (items === null || items.length === 0) throw new PropertyError(owner, name, URLS_EXPECTED, value);
  return items.map((item) => {
    const url = typeof item === 'string' ? etcdUrl(item.trim()) : null;
    if (url === null) throw new PropertyError(owner, name, URLS_EXPECTED, value);
    return url;
  });
}

/** `text` as a normalized etcd URL, or null when etcd could not listen on or dial it. */
export function etcdUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.port === '' || url.hostname === '' || url.username !== '' || url.password !== '') return null;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return null;
  return `${url.protocol}//${url.host}`;
}

/** True when the URL's host is an unspecified address (0.0.0.0, ::): fine to listen on, never to advertise or dial. */
export function isUnspecifiedHost(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '0.0.0.0' || host === '[::]';
}

/** The URL to dial for a listen URL: an unspecified address becomes its loopback. */
export function dialUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return `${u.protocol}//${u.host}`;
}

/** One member of `initial_cluster`: its name and peer URL. */
export interface ClusterMember {
  readonly name: string;
  readonly peerUrl: string;
}

const CLUSTER_EXPECTED = 'members such as "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380" (a string, a list of NAME=URL, or a block NAME: URL)';

/**
 * `initial_cluster`: `"a=URL,b=URL"` (etcd's form), a list of `"NAME=URL"`, or
 * a block `{ a: "URL" b: "URL" }`. A member may appear several times with
 * different peer URLs (a member with several peer URLs), as in etcd.
 * Returns null when absent.
 */
export function initialClusterProperty(props: Properties, name: string, owner: string): ClusterMember[] | null {
  const value = props[name];
  if (value === undefined) return null;
  const fail = (): never => {
    throw new PropertyError(owner, name, CLUSTER_EXPECTED, value);
  };
  let pairs: [unknown, unknown][];
  if (typeof value === 'string' || Array.isArray(value)) {
    const items: unknown[] = typeof value === 'string' ? value.split(',') : value;
    pairs = items.map((item) => {
      if (typeof item !== 'string') return fail();
      const eq = item.indexOf('=');
      return eq < 0 ? fail() : [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
    });
  } else if (typeof value === 'object' && value !== null) {
    pairs = Object.entries(value);
  } else return fail();
  if (pairs.length === 0) fail();
  return pairs.map(([member, url]) => {
    const peerUrl = typeof url === 'string' ? etcdUrl(url) : null;
    if (typeof member !== 'string' || !isMemberName(member) || peerUrl === null) return fail();
    return { name: member, peerUrl };
  });
}

/** A name etcd can carry in `--initial-cluster` (no `=` or `,`, no spaces). */
export function isMemberName(name: string): boolean {
  return /^[^=,\s]+$/.test(name);
}

/** The `--initial-cluster` flag value. */
export function initialClusterFlag(members: readonly ClusterMember[]): string {
  return members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
}

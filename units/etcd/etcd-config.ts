import { isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from '../../src/sdk/host.js';
import { booleanProperty, durationProperty, PropertyError, stringProperty, type Properties } from '../common/properties.js';
import { initialClusterProperty, isMemberName, isUnspecifiedHost, urlListProperty, type ClusterMember } from './etcd-urls.js';

/** Client TLS of the etcd member (etcd's `--cert-file`, `--key-file`, `--trusted-ca-file`, `--client-cert-auth`). */
export interface EtcdTls {
  readonly certFile: string | null;
  readonly keyFile: string | null;
  readonly trustedCaFile: string | null;
  readonly clientCertAuth: boolean;
}

/** Everything `@ensemble/etcd` starts etcd with, validated and defaulted (docs/units.md "etcd"). */
export interface EtcdConfig {
  /** The etcd program as written (`etcd`: looked up on PATH). */
  readonly binary: string;
  readonly name: string;
  /** Absolute. */
  readonly dataDir: string;
  readonly clientUrls: readonly string[];
  readonly peerUrls: readonly string[];
  readonly advertiseClientUrls: readonly string[];
  readonly initialAdvertisePeerUrls: readonly string[];
  readonly initialCluster: readonly ClusterMember[];
  readonly initialClusterState: 'new' | 'existing';
  readonly initialClusterToken: string;
  /** Milliseconds, or null for etcd's default (100). */
  readonly heartbeatMs: number | null;
  /** Milliseconds, or null for etcd's default (1000). */
  readonly electionMs: number | null;
  readonly tls: EtcdTls;
  /** Passed last, so they override generated flags. */
  readonly extraArgs: readonly string[];
  /** How long a stop waits for etcd after SIGTERM before SIGKILL. */
  readonly stopTimeoutMs: number;
}

/** Where the unit runs: its name, state directory and working directory. */
export interface EtcdUnitContext {
  readonly unit: string;
  readonly stateDir: string | null;
  readonly cwd: string;
}

/**
 * Read and check the unit's properties. Throws an {@link InvalidArgumentError}
 * (one line naming the property) on the first problem.
 */
export function etcdConfig(props: Properties, ctx: EtcdUnitContext): EtcdConfig {
  const owner = ctx.unit;
  const base = ctx.stateDir ?? ctx.cwd;

  const name = stringProperty(props, 'name', ctx.unit, owner);
  if (!isMemberName(name)) throw new PropertyError(owner, 'name', 'a member name without spaces, "=" or ","', name);

  const binary = stringProperty(props, 'binary', 'etcd', owner);
  if (binary.trim() === '') throw new PropertyError(owner, 'binary', 'the etcd program (a name on PATH or a path)', binary);

  const dataDirText = stringProperty(props, 'data_dir', 'data', owner);
  if (dataDirText.trim() === '') throw new PropertyError(owner, 'data_dir', 'a directory', dataDirText);
  const dataDir = isAbsolute(dataDirText) ? dataDirText : resolve(base, dataDirText);

  const clientUrls = urlListProperty(props, 'client_urls', owner) ?? ['http://127.0.0.1:2379'];
  const peerUrls = urlListProperty(props, 'peer_urls', owner) ?? ['http://127.0.0.1:2380'];
  const advertiseClientUrls = advertised(props, 'advertise_client_urls', 'client_urls', clientUrls, owner);
  const initialAdvertisePeerUrls = advertised(props, 'initial_advertise_peer_urls', 'peer_urls', peerUrls, owner);

  const initialCluster = initialClusterProperty(props, 'initial_cluster', owner) ?? initialAdvertisePeerUrls.map((peerUrl) => ({ name, peerUrl }));
  const own = initialCluster.filter((m) => m.name === name).map((m) => m.peerUrl);
  if (own.length === 0) {
    throw new InvalidArgumentError(`${owner}: property "initial_cluster" must list this member "${name}" (${name}=${initialAdvertisePeerUrls[0]}), not only ${initialCluster.map((m) => m.name).join(', ')}`);
  }
  if (!own.some((u) => initialAdvertisePeerUrls.includes(u))) {
    throw new InvalidArgumentError(`${owner}: property "initial_cluster" gives member "${name}" the peer URL ${own.join(', ')}, but it advertises ${initialAdvertisePeerUrls.join(', ')}`);
  }

  const state = stringProperty(props, 'initial_cluster_state', 'new', owner);
  if (state !== 'new' && state !== 'existing') throw new PropertyError(owner, 'initial_cluster_state', '"new" or "existing"', props.initial_cluster_state);
  const token = stringProperty(props, 'initial_cluster_token', ctx.unit, owner);
  if (token.trim() === '') throw new PropertyError(owner, 'initial_cluster_token', 'a non-empty string', token);

  const heartbeatMs = props.heartbeat_interval === undefined ? null : durationProperty(props, 'heartbeat_interval', 100, owner);
  const electionMs = props.election_timeout === undefined ? null : durationProperty(props, 'election_timeout', 1000, owner);
  if ((electionMs ?? 1000) < 5 * (heartbeatMs ?? 100)) {
    throw new InvalidArgumentError(`${owner}: property "election_timeout" (${electionMs ?? 1000} ms) must be at least 5 times "heartbeat_interval" (${heartbeatMs ?? 100} ms)`);
  }
  if (electionMs !== null && electionMs > 50_000) throw new PropertyError(owner, 'election_timeout', 'at most 50s (etcd\'s limit)', props.election_timeout);

  return {
    binary,
    name,
    dataDir,
    clientUrls,
    peerUrls,
    advertiseClientUrls,
    initialAdvertisePeerUrls,
    initialCluster,
    initialClusterState: state,
    initialClusterToken: token,
    heartbeatMs,
    electionMs,
    tls: tlsConfig(props, clientUrls, ctx.cwd, owner),
    extraArgs: listOfWords(props, 'extra_args', owner),
    stopTimeoutMs: durationProperty(props, 'stop_timeout', 8000, owner),
  };
}

/** An advertised URL list: given, or the listen URLs (refused when those are unspecified addresses). */
function advertised(props: Properties, name: string, listenName: string, listen: readonly string[], owner: string): string[] {
  const given = urlListProperty(props, name, owner);
  if (given !== null) {
    const bad = given.find(isUnspecifiedHost);
    if (bad !== undefined) throw new PropertyError(owner, name, 'URLs other members and clients can reach (not 0.0.0.0 or ::)', bad);
    return given;
  }
  if (listen.some(isUnspecifiedHost)) {
    throw new InvalidArgumentError(`${owner}: property "${name}" is needed when "${listenName}" listens on an unspecified address (${listen.join(', ')})`);
  }
  return [...listen];
}

function tlsConfig(props: Properties, clientUrls: readonly string[], cwd: string, owner: string): EtcdTls {
  const file = (name: string): string | null => {
    const v = stringProperty(props, name, null, owner);
    if (v === null) return null;
    if (v.trim() === '') throw new PropertyError(owner, name, 'a file', v);
    return isAbsolute(v) ? v : resolve(cwd, v);
  };
  const tls: EtcdTls = {
    certFile: file('cert_file'),
    keyFile: file('key_file'),
    trustedCaFile: file('trusted_ca_file'),
    clientCertAuth: booleanProperty(props, 'client_cert_auth', false, owner),
  };
  if ((tls.certFile === null) !== (tls.keyFile === null)) {
    throw new InvalidArgumentError(`${owner}: properties "cert_file" and "key_file" go together (one is missing)`);
  }
  const https = clientUrls.some((u) => u.startsWith('https:'));
  if (https && tls.certFile === null) throw new InvalidArgumentError(`${owner}: https client URLs need "cert_file" and "key_file"`);
  if (!https && tls.certFile !== null) throw new InvalidArgumentError(`${owner}: "cert_file" is set but no client URL is https (${clientUrls.join(', ')})`);
  if (tls.clientCertAuth && tls.trustedCaFile === null) throw new InvalidArgumentError(`${owner}: "client_cert_auth: true" needs "trusted_ca_file"`);
  return tls;
}

/** A list of command-line words (strings, numbers, booleans); a single string is one word. */
function listOfWords(props: Properties, name: string, owner: string): string[] {
  const value = props[name];
  if (value === undefined) return [];
  const items = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
  if (items === null || !items.every((i) => ['string', 'number', 'boolean'].includes(typeof i))) {
    throw new PropertyError(owner, name, 'a list of arguments such as ["--quota-backend-bytes=8589934592"]', value);
  }
  return items.map(String);
}

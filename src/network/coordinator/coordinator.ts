/**
 * The coordination interface of a network: what several supervisors share
 * (members, registry entries, elections, locks, a versioned configuration).
 * Backends: `local` (embedded, one machine) and `etcd`. Every record carrying
 * a lease disappears when its lease is not kept alive within its TTL.
 * Nothing here is on a unit's liveness path: callers treat every method as
 * possibly failing while the coordinator is unreachable.
 */

/** A revision of the coordinator's store; monotonic, comparable as bigint. */
export type Revision = bigint;

/** A lease: records attached to it vanish when it expires or is revoked. */
export interface Lease {
  /** The backend's lease id. */
  readonly id: string;
  /** Time to live in seconds, as granted. */
  readonly ttlSeconds: number;
  /** Stops keep-alives and revokes the lease (its records go). */
  revoke(): Promise<void>;
  /** Called once when the lease is lost (expired while unreachable). */
  onLost(listener: () => void): void;
}

/** One supervisor of the network, as it announces itself. */
export interface MemberRecord {
  readonly node: string;
  /** host:port of the node's supervisor-to-supervisor listener. */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostIds: readonly string[];
}

/** One service registration, published under a lease. */
export interface RegistryEntry {
  readonly node: string;
  readonly name: string;
  readonly address: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A change seen by a watch. */
export interface WatchEvent {
  readonly kind: 'put' | 'delete';
  readonly key: string;
  /** The value after a put; undefined for a delete. */
  readonly value?: string;
  readonly revision: Revision;
}

/**
 * What ended a watch: the coordinator compacted the revisions it had to
 * replay (`CoordinatorCompactedError`), or it cancelled the watch.
 */
export type WatchErrorListener = (error: Error) => void;

/** A running watch; `close` stops it. */
export interface Watch {
  close(): Promise<void>;
}

/** A snapshot read of a key space, with the revision it was read at. */
export interface Snapshot {
  readonly entries: ReadonlyMap<string, string>;
  readonly revision: Revision;
}

/** A held lock; `release` gives it back. */
export interface HeldLock {
  release(): Promise<void>;
}

/** A stored value with the revision it was last written at. */
export interface StoredValue {
  readonly value: string;
  /** The key's modification revision. */
  readonly revision: Revision;
}

/** A versioned configuration blob. */
export interface VersionedConfig {
  readonly value: string;
  readonly revision: Revision;
}

/** Members, registry, watches, election, lock and configuration behind one backend. */
export interface Coordinator {
  /** `local` or `etcd`. */
  readonly kind: 'local' | 'etcd';
  /** Grants a lease kept alive until revoked or lost. */
  grantLease(ttlSeconds: number): Promise<Lease>;
  /** Announces (or replaces) this node's member record under `lease`. */
  putMember(member: MemberRecord, lease: Lease): Promise<void>;
  /** Every live member. */
  members(): Promise<readonly MemberRecord[]>;
  /** Publishes (or replaces) a registry entry under `lease`. */
  register(entry: RegistryEntry, lease: Lease): Promise<void>;
  /** Removes one registry entry of `node`. */
  unregister(node: string, name: string): Promise<void>;
  /** Reads a key space (`members/`, `registry/`, …) with its revision. */
  list(prefix: string): Promise<Snapshot>;
  /**
   * Watches `prefix` from `fromRevision` (inclusive), or from now; keys in
   * events are relative (`members/a`). Rejects with `CoordinatorCompactedError`
   * when `fromRevision` is older than the history kept. A watch survives
   * coordinator restarts (it resumes after the last revision it delivered);
   * `onError` is called once if it ends for another reason (a compaction while
   * it was disconnected, a cancellation), after which no event comes.
   */
  watch(prefix: string, fromRevision: Revision | undefined, onEvent: (event: WatchEvent) => void, onError?: WatchErrorListener): Promise<Watch>;
  /** The value at relative `key` (`state/edge-1`), or undefined. */
  get(key: string): Promise<StoredValue | undefined>;
  /** Writes relative `key`, under `lease` when given; resolves to the store's revision after the write. */
  put(key: string, value: string, lease?: Lease): Promise<Revision>;
  /** Deletes relative `key`; true when it existed. */
  delete(key: string): Promise<boolean>;
  /**
   * Campaigns for `election` as `candidate` under `lease`; resolves when
   * elected (candidates are served in the order they campaigned). Rejects with
   * `CoordinatorStateError` when the campaign is resigned or its record goes
   * (lease revoked or lost) before it is elected. Leadership lasts until
   * `resign` or until the lease goes.
   */
  campaign(election: string, candidate: string, lease: Lease): Promise<void>;
  /** Gives up leadership of `election` if held. */
  resign(election: string): Promise<void>;
  /** Calls `onLeader` with the current leader (undefined when none) and every change. */
  observeLeader(election: string, onLeader: (leader: string | undefined) => void): Promise<Watch>;
  /** Waits for and takes the named lock (FIFO among waiters; held under a lease of this client). */
  lock(name: string): Promise<HeldLock>;
  /** The configuration blob at `key`, or undefined. */
  getConfig(key: string): Promise<VersionedConfig | undefined>;
  /**
   * Writes the blob; with `expectedRevision`, only if the key's revision is
   * still that one (0n: only if absent). On success `revision` is the new
   * revision; on a failed compare it is the key's current revision (0n: absent).
   */
  putConfig(key: string, value: string, expectedRevision?: Revision): Promise<{ ok: boolean; revision: Revision }>;
  /** Revokes this process's leases and closes connections. */
  close(): Promise<void>;
}

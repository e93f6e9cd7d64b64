import { InvalidArgumentError } from '../../common/errors.js';
import type {
  Coordinator,
  HeldLock,
  Lease,
  MemberRecord,
  RegistryEntry,
  Revision,
  Snapshot,
  StoredValue,
  VersionedConfig,
  Watch,
  WatchErrorListener,
  WatchEvent,
} from './coordinator.js';
import { CoordinatorStateError } from './coordinator-errors.js';
import { checkRelativeKey, configKey, decodeMember, electionPrefix, encodeEntry, encodeMember, KEY_SPACES, lockPrefix, memberKey, registryKey } from './coordinator-keys.js';
import { LocalStore, type LocalStoreOptions } from './local-store.js';

/** TTL announced for the internal lease of a held lock (local leases never expire). */
const LOCK_LEASE_TTL_SECONDS = 10;

class LocalLease implements Lease {
  readonly id: string;
  readonly ttlSeconds: number;
  private readonly revokeFn: (lease: LocalLease) => void;

  constructor(id: string, ttlSeconds: number, revoke: (lease: LocalLease) => void) {
    this.id = id;
    this.ttlSeconds = ttlSeconds;
    this.revokeFn = revoke;
  }

  revoke(): Promise<void> {
    this.revokeFn(this);
    return Promise.resolve();
  }

  onLost(listener: () => void): void {
    // A local lease is never lost while the process lives: nothing to call.
    void listener;
  }
}

/**
 * The `local` coordinator: one process, no dependency, over a
 * {@link LocalStore}. Several handles may share one store (`connect()`): each
 * is a client with its own leases, campaigns and watches, closed by `close()`.
 */
export class LocalCoordinator implements Coordinator {
  readonly kind = 'local' as const;
  /** The store this handle works on (shared by the handles of `connect()`). */
  readonly store: LocalStore;
  private readonly leases = new Map<string, LocalLease>();
  private readonly campaigns = new Map<string, string>();
  private readonly cleanups = new Set<() => void>();
  private closed = false;

  constructor(store: LocalStore = new LocalStore()) {
    this.store = store;
  }

  /** Another client handle on the same store. */
  connect(): LocalCoordinator {
    return new LocalCoordinator(this.store);
  }

  grantLease(ttlSeconds: number): Promise<Lease> {
    return this.run(() => {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new InvalidArgumentError(`a lease TTL must be a whole number of seconds ≥ 1 (got ${ttlSeconds})`);
      const lease = new LocalLease(this.store.grantLease(ttlSeconds), ttlSeconds, (l) => {
        this.leases.delete(l.id);
        this.store.revokeLease(l.id);
      });
      this.leases.set(lease.id, lease);
      return lease;
    });
  }

  putMember(member: MemberRecord, lease: Lease): Promise<void> {
    return this.run(() => void this.store.put(memberKey(member.node), encodeMember(member), lease.id));
  }

  members(): Promise<readonly MemberRecord[]> {
    return this.run(() => this.store.range(KEY_SPACES.members).flatMap(([, r]) => decodeMember(r.value) ?? []));
  }

  register(entry: RegistryEntry, lease: Lease): Promise<void> {
    return this.run(() => void this.store.put(registryKey(entry.node, entry.name), encodeEntry(entry), lease.id));
  }

  unregister(node: string, name: string): Promise<void> {
    return this.run(() => void this.store.delete(registryKey(node, name)));
  }

  list(prefix: string): Promise<Snapshot> {
    return this.run(() => ({ entries: new Map(this.store.range(prefix).map(([k, r]) => [k, r.value])), revision: this.store.currentRevision() }));
  }

  watch(prefix: string, fromRevision: Revision | undefined, onEvent: (event: WatchEvent) => void, onError?: WatchErrorListener): Promise<Watch> {
    void onError; // The local history is only compacted for watches not yet started: nothing ends a running one.
    return this.run(() => this.track(this.store.watch(prefix, fromRevision, onEvent)));
  }

  get(key: string): Promise<StoredValue | undefined> {
    return this.run(() => {
      const record = this.store.read(checkRelativeKey(key));
      return record && { value: record.value, revision: record.modRevision };
    });
  }

  put(key: string, value: string, lease?: Lease): Promise<Revision> {
    return this.run(() => this.store.put(checkRelativeKey(key), value, lease?.id));
  }

  delete(key: string): Promise<boolean> {
    return this.run(() => this.store.delete(checkRelativeKey(key)));
  }

  async campaign(election: string, candidate: string, lease: Lease): Promise<void> {
    const key = await this.run(() => {
      const k = `${electionPrefix(election)}${lease.id}`;
      if (this.store.read(k)?.value !== candidate) this.store.put(k, candidate, lease.id);
      this.campaigns.set(election, k);
      return k;
    });
    await this.waitFirst(electionPrefix(election), key, `the campaign for "${election}"`);
  }

  resign(election: string): Promise<void> {
    return this.run(() => {
      const key = this.campaigns.get(election);
      this.campaigns.delete(election);
      if (key !== undefined) this.store.delete(key);
    });
  }

  observeLeader(election: string, onLeader: (leader: string | undefined) => void): Promise<Watch> {
    return this.run(() => {
      const prefix = electionPrefix(election);
      let current: string | undefined | null = null;
      const check = (): void => {
        const leader = this.first(prefix)?.[1].value;
        if (leader === current) return;
        current = leader;
        onLeader(leader);
      };
      check();
      return this.track(this.store.watch(prefix, undefined, check));
    });
  }

  async lock(name: string): Promise<HeldLock> {
    const lease = await this.grantLease(LOCK_LEASE_TTL_SECONDS);
    const key = `${lockPrefix(name)}${lease.id}`;
    this.store.put(key, '', lease.id);
    try {
      await this.waitFirst(lockPrefix(name), key, `the lock "${name}"`);
    } catch (e) {
      await lease.revoke();
      throw e;
    }
    return { release: () => lease.revoke() };
  }

  getConfig(key: string): Promise<VersionedConfig | undefined> {
    return this.run(() => {
      const record = this.store.read(configKey(key));
      return record && { value: record.value, revision: record.modRevision };
    });
  }

  putConfig(key: string, value: string, expectedRevision?: Revision): Promise<{ ok: boolean; revision: Revision }> {
    return this.run(() => {
      const k = configKey(key);
      const current = this.store.read(k)?.modRevision ?? 0n;
      if (expectedRevision !== undefined && current !== expectedRevision) return { ok: false, revision: current };
      return { ok: true, revision: this.store.put(k, value) };
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const cleanup of [...this.cleanups]) cleanup();
    this.cleanups.clear();
    for (const lease of [...this.leases.values()]) void lease.revoke();
    this.campaigns.clear();
    return Promise.resolve();
  }

  /** The record with the smallest create revision under `prefix`. */
  private first(prefix: string): [string, { value: string; createRevision: Revision }] | undefined {
    let best: [string, { value: string; createRevision: Revision }] | undefined;
    for (const entry of this.store.range(prefix)) if (best === undefined || entry[1].createRevision < best[1].createRevision) best = entry;
    return best;
  }

  /** Resolves once `key` is the oldest record under `prefix`; rejects when it goes first or this handle closes. */
  private waitFirst(prefix: string, key: string, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stop = (): void => {
        unlisten();
        this.cleanups.delete(onClose);
      };
      const onClose = (): void => {
        stop();
        reject(new CoordinatorStateError(`${what} ended: the coordinator was closed`));
      };
      const check = (): void => {
        if (this.store.read(key) === undefined) {
          stop();
          reject(new CoordinatorStateError(`${what} ended before it was won: resigned, or its lease was revoked`));
        } else if (this.first(prefix)?.[0] === key) {
          stop();
          resolve();
        }
      };
      const unlisten = this.store.onChange(check);
      this.cleanups.add(onClose);
      check();
    });
  }

  private track(stop: () => void): Watch {
    const close = (): Promise<void> => {
      this.cleanups.delete(close);
      stop();
      return Promise.resolve();
    };
    this.cleanups.add(close);
    return { close };
  }

  private run<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new CoordinatorStateError('the local coordinator is closed'));
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}

/** A `local` coordinator on a fresh in-memory store. */
export function createLocalCoordinator(options: LocalStoreOptions = {}): LocalCoordinator {
  return new LocalCoordinator(new LocalStore(options));
}

import { Etcd3, type IKeyValue, type IOptions, type Namespace, type Watcher } from 'etcd3';
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
import { CoordinatorCompactedError, CoordinatorStateError, CoordinatorUnavailableError } from './coordinator-errors.js';
import { checkRelativeKey, configKey, decodeMember, electionPrefix, encodeEntry, encodeMember, KEY_SPACES, lockPrefix, memberKey, registryKey } from './coordinator-keys.js';
import { EtcdLease } from './etcd-lease.js';
import { mapEtcdError } from './etcd-error-mapping.js';

/** How to reach etcd. */
export interface EtcdOptions {
  /** Client URLs (`http://10.0.0.1:2379`, `https://…` with `tls`). */
  readonly endpoints: readonly string[];
  /** Key prefix of this network (`ensemble/plant/`); several networks share one etcd. */
  readonly prefix: string;
  /** Trust (`ca`) and, for client-certificate auth, this client's `cert` and `key` (PEM). */
  readonly tls?: { readonly ca: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** etcd user and password (never logged). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Bound of every unary call, in ms (default 3,000). */
  readonly callTimeoutMs?: number;
}

/** Default bound of one etcd call. */
export const DEFAULT_CALL_TIMEOUT_MS = 3_000;
/** TTL of the internal lease of a held lock. */
const LOCK_LEASE_TTL_SECONDS = 10;

type RawKind = 'put' | 'delete';

/**
 * The `etcd` coordinator, on the `etcd3` client. Keys live under
 * `options.prefix` (an etcd3 namespace). Every unary call is bounded by
 * `callTimeoutMs` and fails with `CoordinatorUnavailableError` or
 * `CoordinatorAuthError`; watches and lease keep-alives are streams that
 * reconnect on their own (a watch resumes after the last revision it delivered).
 */
export class EtcdCoordinator implements Coordinator {
  readonly kind = 'etcd' as const;
  private readonly client: Etcd3;
  private readonly ns: Namespace;
  private readonly timeoutMs: number;
  private readonly where: string;
  private readonly leases = new Set<EtcdLease>();
  private readonly campaigns = new Map<string, string>();
  private readonly cleanups = new Set<() => void>();
  private closed = false;

  constructor(options: EtcdOptions) {
    if (options.endpoints.length === 0) throw new InvalidArgumentError('etcd needs at least one endpoint');
    this.timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.where = options.endpoints.join(',');
    const timeoutMs = this.timeoutMs;
    const clientOptions: IOptions = {
      hosts: [...options.endpoints],
      dialTimeout: timeoutMs,
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeoutMs }),
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 200, 'grpc.max_reconnect_backoff_ms': 2_000 },
      ...(options.tls ? { credentials: { rootCertificate: options.tls.ca, ...(options.tls.key ? { privateKey: options.tls.key } : {}), ...(options.tls.cert ? { certChain: options.tls.cert } : {}) } } : {}),
      ...(options.auth ? { auth: { username: options.auth.username, password: options.auth.password } } : {}),
    };
    this.client = new Etcd3(clientOptions);
    const prefix = options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.ns = prefix === '' ? this.client : this.client.namespace(prefix);
  }

  /** One bounded read: resolves when etcd answers and accepts the credentials. */
  async ping(): Promise<void> {
    await this.call('a health read', () => this.ns.get(`${KEY_SPACES.config}`).exec());
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new InvalidArgumentError(`a lease TTL must be a whole number of seconds ≥ 1 (got ${ttlSeconds})`);
    this.checkOpen();
    const inner = this.ns.lease(ttlSeconds);
    inner.on('lost', () => undefined);
    let id: string;
    try {
      id = await this.call('a lease grant', () => inner.grant());
    } catch (e) {
      inner.release();
      throw e;
    }
    const lease = new EtcdLease(inner, id, ttlSeconds, (l) => this.bound('a lease revoke', l.revoke()), (l) => this.leases.delete(l));
    this.leases.add(lease);
    return lease;
  }

  async putMember(member: MemberRecord, lease: Lease): Promise<void> {
    await this.put(memberKey(member.node), encodeMember(member), lease);
  }

  async members(): Promise<readonly MemberRecord[]> {
    const snapshot = await this.list(KEY_SPACES.members);
    return [...snapshot.entries.values()].flatMap((v) => decodeMember(v) ?? []);
  }

  async register(entry: RegistryEntry, lease: Lease): Promise<void> {
    await this.put(registryKey(entry.node, entry.name), encodeEntry(entry), lease);
  }

  async unregister(node: string, name: string): Promise<void> {
    await this.delete(registryKey(node, name));
  }

  async list(prefix: string): Promise<Snapshot> {
    const res = await this.call(`a read of "${prefix}"`, () => this.ns.getAll().prefix(prefix).exec());
    return { entries: new Map(res.kvs.map((kv) => [kv.key.toString(), kv.value.toString()])), revision: BigInt(res.header.revision) };
  }

  async get(key: string): Promise<StoredValue | undefined> {
    const res = await this.call(`a read of "${key}"`, () => this.ns.get(checkRelativeKey(key)).exec());
    const kv = res.kvs[0];
    return kv && { value: kv.value.toString(), revision: BigInt(kv.mod_revision) };
  }

  async put(key: string, value: string, lease?: Lease): Promise<Revision> {
    checkRelativeKey(key);
    const builder = this.ns.put(key).value(value);
    if (lease !== undefined) builder.lease(lease.id);
    const res = await this.call(`a write of "${key}"`, () => builder.exec());
    return BigInt(res.header.revision);
  }

  async delete(key: string): Promise<boolean> {
    const res = await this.call(`a delete of "${key}"`, () => this.ns.delete().key(checkRelativeKey(key)).exec());
    return BigInt(res.deleted) > 0n;
  }

  async watch(prefix: string, fromRevision: Revision | undefined, onEvent: (event: WatchEvent) => void, onError?: WatchErrorListener): Promise<Watch> {
    return this.rawWatch(
      prefix,
      fromRevision,
      (kind, kv) => onEvent(kind === 'put' ? { kind, key: kv.key.toString(), value: kv.value.toString(), revision: BigInt(kv.mod_revision) } : { kind, key: kv.key.toString(), revision: BigInt(kv.mod_revision) }),
      onError,
    );
  }

  async campaign(election: string, candidate: string, lease: Lease): Promise<void> {
    const prefix = electionPrefix(election);
    const key = `${prefix}${lease.id}`;
    const res = await this.call(`a campaign for "${election}"`, () =>
      this.ns.if(key, 'Create', '==', 0).then(this.ns.put(key).value(candidate).lease(lease.id)).else(this.ns.get(key)).commit(),
    );
    let created: Revision;
    if (res.succeeded) {
      created = BigInt(res.header.revision);
    } else {
      const kv = res.responses[0]?.response_range?.kvs[0];
      if (!kv) throw new CoordinatorStateError(`the campaign record for "${election}" vanished while it was written`);
      created = BigInt(kv.create_revision);
      if (kv.value.toString() !== candidate) await this.put(key, candidate, lease);
    }
    this.campaigns.set(election, key);
    await this.waitFirst(prefix, key, created, `the campaign for "${election}"`);
  }

  async resign(election: string): Promise<void> {
    const key = this.campaigns.get(election);
    this.campaigns.delete(election);
    if (key !== undefined) await this.delete(key);
  }

  async observeLeader(election: string, onLeader: (leader: string | undefined) => void): Promise<Watch> {
    const prefix = electionPrefix(election);
    const res = await this.call(`a read of "${prefix}"`, () => this.ns.getAll().prefix(prefix).exec());
    const candidates = new Map<string, { created: bigint; value: string }>(res.kvs.map((kv) => [kv.key.toString(), { created: BigInt(kv.create_revision), value: kv.value.toString() }]));
    let current: string | undefined | null = null;
    const report = (): void => {
      let best: { created: bigint; value: string } | undefined;
      for (const c of candidates.values()) if (best === undefined || c.created < best.created) best = c;
      if (best?.value === current) return;
      current = best?.value;
      onLeader(current);
    };
    report();
    return this.rawWatch(prefix, BigInt(res.header.revision) + 1n, (kind, kv) => {
      if (kind === 'put') candidates.set(kv.key.toString(), { created: BigInt(kv.create_revision), value: kv.value.toString() });
      else candidates.delete(kv.key.toString());
      report();
    });
  }

  async lock(name: string): Promise<HeldLock> {
    const prefix = lockPrefix(name);
    const lease = await this.grantLease(LOCK_LEASE_TTL_SECONDS);
    try {
      const key = `${prefix}${lease.id}`;
      const created = await this.put(key, '', lease);
      await this.waitFirst(prefix, key, created, `the lock "${name}"`);
    } catch (e) {
      await lease.revoke().catch(() => undefined);
      throw e;
    }
    return { release: () => lease.revoke() };
  }

  async getConfig(key: string): Promise<VersionedConfig | undefined> {
    const res = await this.call(`a read of config "${key}"`, () => this.ns.get(configKey(key)).exec());
    const kv = res.kvs[0];
    return kv && { value: kv.value.toString(), revision: BigInt(kv.mod_revision) };
  }

  async putConfig(key: string, value: string, expectedRevision?: Revision): Promise<{ ok: boolean; revision: Revision }> {
    const k = configKey(key);
    if (expectedRevision === undefined) return { ok: true, revision: await this.put(k, value) };
    const res = await this.call(`a compare-and-set of config "${key}"`, () =>
      this.ns.if(k, 'Mod', '==', expectedRevision.toString()).then(this.ns.put(k).value(value)).else(this.ns.get(k)).commit(),
    );
    if (res.succeeded) return { ok: true, revision: BigInt(res.header.revision) };
    const kv = res.responses[0]?.response_range?.kvs[0];
    return { ok: false, revision: kv ? BigInt(kv.mod_revision) : 0n };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const cleanup of [...this.cleanups]) cleanup();
    this.cleanups.clear();
    await Promise.all([...this.leases].map((l) => l.revoke().catch(() => l.release())));
    this.client.close();
  }

  /**
   * A watch of `prefix` from `fromRevision` that survives reconnections: it
   * resumes after the last revision delivered (etcd3 alone resumes after the
   * last header seen, which can skip a replay cut by a disconnection).
   */
  private async rawWatch(prefix: string, fromRevision: Revision | undefined, onKv: (kind: RawKind, kv: IKeyValue) => void, onError?: WatchErrorListener): Promise<Watch> {
    this.checkOpen();
    if (fromRevision !== undefined) await this.checkNotCompacted(prefix, fromRevision);
    const builder = this.ns.watch().prefix(prefix);
    if (fromRevision !== undefined) builder.startRevision(fromRevision.toString());
    const watcher: Watcher = builder.watcher();
    let resumeFrom: string | undefined = fromRevision?.toString();
    let ended = false;
    let started = false;
    watcher.on('connected', (res: { header: { revision: string } }) => {
      if (resumeFrom === undefined) resumeFrom = (BigInt(res.header.revision) + 1n).toString();
      (watcher.request as { start_revision?: string }).start_revision = resumeFrom;
    });
    watcher.on('data', (res) => {
      const last = res.events[res.events.length - 1];
      resumeFrom = last ? (BigInt(last.kv.mod_revision) + 1n).toString() : (BigInt(res.header.revision) + 1n).toString();
      (watcher.request as { start_revision?: string }).start_revision = resumeFrom;
      if (ended) return;
      for (const event of res.events) {
        try {
          onKv(event.type === 'Put' ? 'put' : 'delete', event.kv);
        } catch {
          // A listener's failure is its own.
        }
      }
    });
    const stop = (): void => {
      ended = true;
      this.cleanups.delete(stop);
      void watcher.cancel().catch(() => undefined);
    };
    const connected = new Promise<void>((resolve, reject) => {
      watcher.once('connected', () => {
        started = true;
        resolve();
      });
      watcher.on('error', (e: Error) => {
        reject(e);
        if (ended || !started) return;
        ended = true;
        this.cleanups.delete(stop);
        void this.explainWatchEnd(prefix, resumeFrom, e).then((err) => onError?.(err));
      });
    });
    try {
      await this.bound(`a watch of "${prefix}"`, connected);
    } catch (e) {
      stop();
      throw e instanceof Error && /Watcher canceled/.test(e.message) ? await this.explainWatchEnd(prefix, resumeFrom, e) : e;
    }
    this.cleanups.add(stop);
    return { close: () => Promise.resolve(stop()) };
  }

  private async checkNotCompacted(prefix: string, revision: Revision): Promise<void> {
    try {
      await this.call(`a read of "${prefix}" at revision ${revision}`, () => this.ns.getAll().prefix(prefix).revision(revision.toString()).count());
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (/compacted/i.test(message)) throw new CoordinatorCompactedError(revision, 'etcd has compacted that revision');
      if (/future revision/i.test(message)) return;
      throw e;
    }
  }

  private async explainWatchEnd(prefix: string, resumeFrom: string | undefined, e: Error): Promise<Error> {
    if (resumeFrom === undefined) return e;
    try {
      await this.checkNotCompacted(prefix, BigInt(resumeFrom));
    } catch (probe) {
      if (probe instanceof CoordinatorCompactedError) return probe;
    }
    return new CoordinatorStateError(`etcd ended the watch of "${prefix}": ${e.message}`);
  }

  /** Resolves once `key` (created at `created`) is the oldest record under `prefix`. */
  private async waitFirst(prefix: string, key: string, created: Revision, what: string): Promise<void> {
    for (;;) {
      this.checkOpen();
      const mine = await this.call(`a read of "${key}"`, () => this.ns.get(key).exec());
      if (mine.kvs.length === 0) throw new CoordinatorStateError(`${what} ended before it was won: resigned, or its lease was revoked or lost`);
      const res = await this.call(`a read of "${prefix}"`, () =>
        this.ns.getAll().prefix(prefix).maxCreateRevision((created - 1n).toString()).sort('Create', 'Descend').limit(1).exec(),
      );
      if (res.kvs.length === 0) return;
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (fn: () => void): void => {
          if (settled) return;
          settled = true;
          this.cleanups.delete(onClose);
          void watch.then((w) => w.close()).catch(() => undefined);
          fn();
        };
        const onClose = (): void => settle(() => reject(new CoordinatorStateError(`${what} ended: the coordinator was closed`)));
        this.cleanups.add(onClose);
        const watch = this.rawWatch(
          prefix,
          BigInt(res.header.revision) + 1n,
          (kind) => {
            if (kind === 'delete') settle(resolve);
          },
          (e) => settle(() => reject(e)),
        );
        watch.catch((e: unknown) => settle(() => reject(e instanceof Error ? e : new Error(String(e)))));
      });
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new CoordinatorStateError('the etcd coordinator is closed');
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    return this.bound(what, fn());
  }

  private bound<T>(what: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CoordinatorUnavailableError(`etcd at ${this.where} did not answer ${what} within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([promise, timeout])
      .catch((e: unknown) => {
        throw mapEtcdError(e, what, this.where);
      })
      .finally(() => clearTimeout(timer));
  }
}

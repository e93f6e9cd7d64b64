import type { Revision, WatchEvent } from './coordinator.js';
import { CoordinatorCompactedError, CoordinatorStateError } from './coordinator-errors.js';

/** One key of the {@link LocalStore}. */
export interface LocalRecord {
  readonly value: string;
  readonly createRevision: Revision;
  readonly modRevision: Revision;
  readonly lease: string | undefined;
}

/** Options of a {@link LocalStore}. */
export interface LocalStoreOptions {
  /** Events kept for watches from a past revision (default 10,000); older ones are compacted. */
  readonly historyLimit?: number;
}

interface StoredEvent {
  readonly event: WatchEvent;
  readonly seq: number;
}

interface LocalWatcher {
  readonly prefix: string;
  readonly onEvent: (event: WatchEvent) => void;
  seenSeq: number;
}

/**
 * The in-memory key-value store behind the `local` coordinator: a revision
 * counter (starting at 1, every write or lease revocation is one revision, as
 * in etcd), leases that never expire while the process lives, a bounded
 * event history for watches from a past revision, and change listeners for
 * the election and lock recipes. Deterministic: every change is delivered
 * synchronously, in revision order, through one queue (a listener that
 * writes sees its own change after the current one is delivered to all).
 */
export class LocalStore {
  private revision: Revision = 1n;
  private readonly records = new Map<string, LocalRecord>();
  private readonly leases = new Map<string, { readonly ttlSeconds: number; readonly keys: Set<string> }>();
  private nextLease = 1;
  private readonly history: StoredEvent[] = [];
  private compactedThrough: Revision = 0n;
  private seq = 0;
  private readonly watchers = new Set<LocalWatcher>();
  private readonly changeListeners = new Set<() => void>();
  private readonly queue: StoredEvent[] = [];
  private delivering = false;
  private readonly historyLimit: number;

  constructor(options: LocalStoreOptions = {}) {
    this.historyLimit = Math.max(1, options.historyLimit ?? 10_000);
  }

  /** The current revision. */
  currentRevision(): Revision {
    return this.revision;
  }

  /** The record at `key`. */
  read(key: string): LocalRecord | undefined {
    return this.records.get(key);
  }

  /** Every record whose key starts with `prefix`, in key order. */
  range(prefix: string): [string, LocalRecord][] {
    return [...this.records].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** A new lease id. */
  grantLease(ttlSeconds: number): string {
    const id = String(this.nextLease++);
    this.leases.set(id, { ttlSeconds, keys: new Set() });
    return id;
  }

  /** True while lease `id` exists. */
  leaseAlive(id: string): boolean {
    return this.leases.has(id);
  }

  /** Writes `key` (under `lease` when given); returns the new revision. */
  put(key: string, value: string, lease?: string): Revision {
    if (lease !== undefined && !this.leases.has(lease)) throw new CoordinatorStateError(`lease ${lease} is not alive`);
    const revision = this.revision + 1n;
    const previous = this.records.get(key);
    if (previous?.lease !== undefined) this.leases.get(previous.lease)?.keys.delete(key);
    this.records.set(key, { value, createRevision: previous?.createRevision ?? revision, modRevision: revision, lease });
    if (lease !== undefined) this.leases.get(lease)?.keys.add(key);
    this.commit(revision, [{ kind: 'put', key, value, revision }]);
    return revision;
  }

  /** Deletes `key`; false (and no revision) when it did not exist. */
  delete(key: string): boolean {
    const previous = this.records.get(key);
    if (previous === undefined) return false;
    const revision = this.revision + 1n;
    this.drop(key, previous);
    this.commit(revision, [{ kind: 'delete', key, revision }]);
    return true;
  }

  /** Revokes lease `id`: its keys are deleted in one revision. */
  revokeLease(id: string): void {
    const lease = this.leases.get(id);
    if (lease === undefined) return;
    this.leases.delete(id);
    const keys = [...lease.keys].sort();
    if (keys.length === 0) return;
    const revision = this.revision + 1n;
    for (const key of keys) {
      const record = this.records.get(key);
      if (record) this.drop(key, record);
    }
    this.commit(revision, keys.map((key) => ({ kind: 'delete' as const, key, revision })));
  }

  /**
   * Delivers the events of `prefix` from `fromRevision` (inclusive, replayed
   * from the history) and every later one to `onEvent`, until the returned
   * function is called.
   */
  watch(prefix: string, fromRevision: Revision | undefined, onEvent: (event: WatchEvent) => void): () => void {
    if (fromRevision !== undefined && fromRevision <= this.compactedThrough) {
      throw new CoordinatorCompactedError(fromRevision, `the local history starts at revision ${this.compactedThrough + 1n}`);
    }
    const watcher: LocalWatcher = { prefix, onEvent, seenSeq: this.seq };
    if (fromRevision !== undefined) {
      for (const { event } of this.history) if (event.revision >= fromRevision && event.key.startsWith(prefix)) onEvent(event);
    }
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Calls `listener` after every change (for recipes waiting on a condition). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private drop(key: string, record: LocalRecord): void {
    this.records.delete(key);
    if (record.lease !== undefined) this.leases.get(record.lease)?.keys.delete(key);
  }

  private commit(revision: Revision, events: WatchEvent[]): void {
    this.revision = revision;
    for (const event of events) {
      const stored = { event, seq: ++this.seq };
      this.history.push(stored);
      this.queue.push(stored);
    }
    this.trimHistory();
    this.drain();
  }

  private trimHistory(): void {
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift();
      if (dropped) this.compactedThrough = dropped.event.revision;
    }
    while (this.history.length > 0 && this.history[0]!.event.revision <= this.compactedThrough) this.history.shift();
  }

  private drain(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        for (const watcher of [...this.watchers]) {
          if (item.seq <= watcher.seenSeq || !this.watchers.has(watcher)) continue;
          watcher.seenSeq = item.seq;
          if (item.event.key.startsWith(watcher.prefix)) safely(() => watcher.onEvent(item.event));
        }
        for (const listener of [...this.changeListeners]) safely(listener);
      }
    } finally {
      this.delivering = false;
    }
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A listener's failure is its own; the store keeps delivering to the others.
  }
}

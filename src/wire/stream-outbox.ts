import * as grpc from '@grpc/grpc-js';

/** Messages an outbox holds for a client that does not read, beyond grpc-js's own 16. */
export const DEFAULT_OUTBOX_MESSAGES = 1024;
/** Distinct keys a keyed outbox holds before it gives up on the client. */
export const DEFAULT_OUTBOX_KEYS = 10_000;

/** The part of a grpc-js server stream an outbox writes to. */
export interface OutboxCall<T> {
  write(message: T): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
  emit(event: 'error', error: grpc.ServiceError): boolean;
}

/**
 * How an outbox treats messages a slow client cannot take yet.
 *
 * - `lossy` (log lines): up to `maxMessages` wait in order; past that, new
 *   messages are dropped and counted, and where they were dropped the client
 *   gets `gap(count)` (e.g. "… 5120 lines dropped: client too slow").
 * - `latest` (state streams): only the newest message per `key` waits (the
 *   client sees every key's current state, not each step in between); more
 *   than `maxKeys` waiting keys end the stream with RESOURCE_EXHAUSTED.
 */
export type OutboxPolicy<T> =
  | { readonly kind: 'lossy'; readonly gap: (dropped: number) => T; readonly maxMessages?: number }
  | { readonly kind: 'latest'; readonly key: (message: T) => string; readonly maxKeys?: number };

type Entry<T> = { readonly message: T } | { dropped: number };

/**
 * The one way a supervisor server stream writes (every `serverStream` handler
 * of the supervisor's API): it respects grpc-js backpressure, so a client that
 * stops reading costs a bounded amount of memory whatever the rate of what it
 * follows.
 *
 * While `call.write()` returns true, messages go straight through. Once it
 * returns false (grpc-js holds 16 unsent messages), the outbox stops writing
 * and keeps what arrives by its {@link OutboxPolicy}; on `'drain'` it writes
 * what it kept, in order, until the call is full again.
 */
export class StreamOutbox<T> {
  private blocked = false;
  private closed = false;
  private ending = false;
  private readonly queue: Entry<T>[] = [];
  private queuedMessages = 0;
  private readonly latest = new Map<string, T>();
  private droppedTotal = 0;

  constructor(
    private readonly call: OutboxCall<T>,
    private readonly policy: OutboxPolicy<T>,
  ) {}

  /** Messages dropped for this client so far (lossy policy). */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Messages (or keys) waiting for the client. */
  get pending(): number {
    return this.policy.kind === 'lossy' ? this.queuedMessages : this.latest.size;
  }

  /** Send `message`, now or when the client reads again (or drop it, by the policy). */
  send(message: T): void {
    if (this.closed || this.ending) return;
    if (!this.blocked && this.queue.length === 0 && this.latest.size === 0) {
      this.write(message);
      return;
    }
    if (this.policy.kind === 'latest') {
      const key = this.policy.key(message);
      this.latest.delete(key);
      this.latest.set(key, message);
      if (this.latest.size > (this.policy.maxKeys ?? DEFAULT_OUTBOX_KEYS)) {
        this.fail(`client too slow: more than ${this.policy.maxKeys ?? DEFAULT_OUTBOX_KEYS} changes waiting`);
      }
      return;
    }
    if (this.queuedMessages < (this.policy.maxMessages ?? DEFAULT_OUTBOX_MESSAGES)) {
      this.queue.push({ message });
      this.queuedMessages++;
      return;
    }
    this.droppedTotal++;
    const last = this.queue[this.queue.length - 1];
    if (last && 'dropped' in last) last.dropped++;
    else this.queue.push({ dropped: 1 });
  }

  /** End the stream once everything kept was written (a finite stream: `logs` without `-f`). */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    if (!this.blocked) this.finish();
  }

  /**
   * What a server-stream handler returns once it sent what it had: with no
   * subscription (`unsubscribe` null: nothing to follow) the stream ends now;
   * otherwise it stays open, and the returned cleanup (run when the call ends or
   * is cancelled) unsubscribes before closing.
   */
  follow(unsubscribe: (() => void) | null): () => void {
    if (!unsubscribe) {
      this.end();
      return () => this.close();
    }
    return () => {
      unsubscribe();
      this.close();
    };
  }

  /** Stop sending and release what waits (the stream ended or was cancelled). */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedMessages = 0;
    this.latest.clear();
  }

  private write(message: T): void {
    if (!this.call.write(message) && !this.blocked) {
      this.blocked = true;
      this.call.once('drain', () => this.drained());
    }
  }

  private drained(): void {
    this.blocked = false;
    while (!this.closed && !this.blocked) {
      const message = this.next();
      if (message === undefined) {
        if (this.ending) this.finish();
        return;
      }
      this.write(message.value);
    }
  }

  private next(): { value: T } | undefined {
    if (this.policy.kind === 'latest') {
      const first = this.latest.entries().next();
      if (first.done) return undefined;
      this.latest.delete(first.value[0]);
      return { value: first.value[1] };
    }
    const entry = this.queue.shift();
    if (!entry) return undefined;
    if ('dropped' in entry) return { value: this.policy.gap(entry.dropped) };
    this.queuedMessages--;
    return { value: entry.message };
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.call.end();
  }

  private fail(details: string): void {
    this.close();
    const error = Object.assign(new Error(details), { code: grpc.status.RESOURCE_EXHAUSTED, details, metadata: new grpc.Metadata() });
    this.call.emit('error', error);
  }
}

import type { Lease as Etcd3Lease } from 'etcd3';
import type { Lease } from './coordinator.js';

/**
 * A {@link Lease} over an etcd3 lease kept alive by the client. `onLost`
 * fires once when the lease is gone for sure: etcd said it expired, or no
 * keep-alive succeeded for a whole TTL (etcd will have expired it by then).
 */
export class EtcdLease implements Lease {
  readonly id: string;
  readonly ttlSeconds: number;
  private readonly inner: Etcd3Lease;
  private readonly lostListeners: (() => void)[] = [];
  private lastKeepAlive = Date.now();
  private done = false;
  private lost = false;
  private readonly timer: NodeJS.Timeout;
  private readonly revokeInner: (inner: Etcd3Lease) => Promise<void>;
  private readonly onEnd: (lease: EtcdLease) => void;

  constructor(inner: Etcd3Lease, id: string, ttlSeconds: number, revoke: (inner: Etcd3Lease) => Promise<void>, onEnd: (lease: EtcdLease) => void) {
    this.inner = inner;
    this.id = id;
    this.ttlSeconds = ttlSeconds;
    this.revokeInner = revoke;
    this.onEnd = onEnd;
    inner.on('keepaliveSucceeded', () => {
      this.lastKeepAlive = Date.now();
    });
    inner.on('lost', () => this.markLost());
    this.timer = setInterval(() => {
      if (Date.now() - this.lastKeepAlive > ttlSeconds * 1000) this.markLost();
    }, Math.min(1000, Math.max(100, (ttlSeconds * 1000) / 4)));
    this.timer.unref();
  }

  /** True once revoked or lost. */
  get ended(): boolean {
    return this.done;
  }

  async revoke(): Promise<void> {
    if (this.done) return;
    this.finish();
    await this.revokeInner(this.inner);
  }

  onLost(listener: () => void): void {
    if (this.lost) queueMicrotask(listener);
    else this.lostListeners.push(listener);
  }

  /** Stops keep-alives without revoking (the client is closing and etcd is unreachable). */
  release(): void {
    if (this.done) return;
    this.finish();
    this.inner.release();
  }

  private markLost(): void {
    if (this.done) return;
    this.finish();
    this.lost = true;
    this.inner.release();
    for (const listener of this.lostListeners.splice(0)) {
      try {
        listener();
      } catch {
        // The listener's failure is its own.
      }
    }
  }

  private finish(): void {
    this.done = true;
    clearInterval(this.timer);
    this.onEnd(this);
  }
}

import type { ResourceClient } from './tree-backend.js';

/** A subscription unused for this long is closed. */
export const LIVE_IDLE_MS = 30_000;

interface Live {
  value: string | null;
  /** When `value` arrived. */
  at: number | undefined;
  /** True after a write through the view until the unit announces a value again. */
  dirty: boolean;
  lastUse: number;
  readonly client: ResourceClient;
  readonly stop: () => void;
}

/**
 * Values of watchable resources kept current by their Resources `Watch`
 * stream, so reading them costs no call to the unit. A unit that declares a
 * resource watchable announces every change, so the pushed value is the
 * current one. A write through the view marks the value dirty until the unit
 * announces a value again (reads go to the unit meanwhile: a script reads
 * back what it wrote). Subscriptions start on first read and close after
 * {@link LIVE_IDLE_MS} without reads, or when the stream ends.
 */
export class LiveValues {
  private readonly live = new Map<string, Live>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), LIVE_IDLE_MS / 3);
    this.sweeper.unref();
  }

  /** The pushed value of `path` from `client`, or null (then read it from the unit; a subscription is started). */
  get(path: string, client: ResourceClient): string | null {
    const held = this.live.get(path);
    if (held && held.client !== client) this.drop(path);
    const entry = this.live.get(path) ?? this.subscribe(path, client);
    entry.lastUse = Date.now();
    return entry.dirty ? null : entry.value;
  }

  /** When the pushed value of `path` arrived, if there is one in use. */
  changedAt(path: string): number | undefined {
    const entry = this.live.get(path);
    return entry && !entry.dirty ? entry.at : undefined;
  }

  /** A write is under way or done: do not trust the pushed value until the next one. */
  invalidate(path: string): void {
    const entry = this.live.get(path);
    if (entry) entry.dirty = true;
  }

  /** Close every subscription. */
  close(): void {
    clearInterval(this.sweeper);
    for (const path of [...this.live.keys()]) this.drop(path);
  }

  private subscribe(path: string, client: ResourceClient): Live {
    const entry: Live = {
      value: null,
      at: undefined,
      dirty: false,
      lastUse: Date.now(),
      client,
      stop: client.watch(
        path,
        (v) => {
          if (v !== entry.value) entry.at = Date.now();
          entry.value = v;
          entry.dirty = false;
        },
        () => {
          if (this.live.get(path) === entry) this.live.delete(path);
        },
      ),
    };
    this.live.set(path, entry);
    return entry;
  }

  private drop(path: string): void {
    const entry = this.live.get(path);
    this.live.delete(path);
    entry?.stop();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [path, entry] of this.live) if (now - entry.lastUse > LIVE_IDLE_MS) this.drop(path);
  }
}

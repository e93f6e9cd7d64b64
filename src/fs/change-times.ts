import { createHash } from 'node:crypto';

/** Paths whose times are remembered; the least recently used is forgotten beyond this. */
export const CHANGE_TIMES_MAX = 20_000;

/** Contents up to this length are remembered as they are; longer ones by their SHA-1. */
const INLINE_PRINT = 256;

interface Entry {
  /** When the path last changed (ms since the epoch). */
  time: number;
  /** What its content (or listing) was then; null: take the next one seen as the baseline. */
  print: string | null;
}

/**
 * When each path of the file view last changed, as far as the view has
 * seen: the modification (and change) time `stat` reports. A value's time
 * moves when a read shows a content different from the last one seen, when
 * a watch event or a write through the view arrives ({@link touch}); a
 * directory's when its listing gains or loses a name. A path seen for the
 * first time gets the time it was first seen. Times only move forward and
 * two changes never share a millisecond, so `tar`, `rsync -a`, `make` and
 * vim see a stable time for a value that did not change and a newer one for
 * a value that did.
 */
export class ChangeTimes {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly max = CHANGE_TIMES_MAX,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The last-change time of `key` whose content is now `content`. When the
   * content differs from the last one seen, the time becomes `changedAt`
   * (when the change is known to have happened, e.g. a pushed value's
   * arrival, a unit's state change) or now; a path seen for the first time
   * gets `changedAt` too when it is known.
   */
  observe(key: string, content: string, changedAt?: number): number {
    const print = content.length <= INLINE_PRINT ? content : `#${createHash('sha1').update(content).digest('base64')}`;
    const entry = this.entries.get(key);
    if (!entry) return this.set(key, changedAt !== undefined && changedAt <= this.clock() ? changedAt : this.clock(), print);
    this.refresh(key, entry);
    if (entry.print === null) entry.print = print;
    else if (entry.print !== print) this.bump(entry, changedAt, print);
    return entry.time;
  }

  /** The last-change time of `key` without looking at its content (first sight: now). */
  timeOf(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return this.set(key, this.clock(), null);
    this.refresh(key, entry);
    return entry.time;
  }

  /** `key` changed now (a write, an entry added or removed); the next content seen is its new baseline. */
  touch(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return this.set(key, this.clock(), null);
    this.refresh(key, entry);
    this.bump(entry, undefined, null);
    return entry.time;
  }

  /** Forget everything about `key`. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private bump(entry: Entry, changedAt: number | undefined, print: string | null): void {
    const at = changedAt !== undefined && changedAt <= this.clock() ? changedAt : this.clock();
    entry.time = Math.max(at, entry.time + 1);
    entry.print = print;
  }

  private refresh(key: string, entry: Entry): void {
    // Map order is insertion order: re-inserting keeps the most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private set(key: string, time: number, print: string | null): number {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { time, print });
    return time;
  }
}

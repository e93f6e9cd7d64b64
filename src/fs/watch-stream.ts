import type { FileViewError } from './errno.js';

/** Bytes of past lines a stream keeps so a reader may seek back a little (bash's `read` does). */
const KEEP_BYTES = 64 * 1024;

interface PendingRead {
  readonly position: number;
  readonly length: number;
  readonly resolve: (data: Buffer) => void;
  readonly reject: (e: FileViewError) => void;
}

/**
 * The byte stream behind one open watch file (`units/x/temp.watch`): one line
 * per change, appended as changes arrive. A read at the end of the stream
 * waits for the next line; each read returns at most one line, so
 * `while read v; do …; done < temp.watch` and `cat temp.watch` see every
 * change, in order.
 *
 * - The first content pushed is the value at open time and is not emitted:
 *   a fresh handle blocks until the next change.
 * - `keepAlive()` appends the current content again (so a reader that was
 *   interrupted, or a loop checking liveness, never waits forever).
 * - `fail()` rejects waiting and future reads (EIO); `close()` ends them with EOF.
 * - With `emitFirst` (the stream `tail -f` reads, see FuseOps) the first
 *   content is emitted too, so the stream starts with the current value.
 */
export class WatchStream {
  /** When a line was last appended (ms since the epoch); 0 before the first. */
  lastAppendMs = 0;
  private readonly emitFirst: boolean;
  private primedWaiters: (() => void)[] = [];
  private chunks: Buffer[] = [];
  /** Stream offset of `chunks[0]`. */
  private base = 0;
  private end = 0;
  private primed = false;
  private lastContent: string | null = null;
  private error: FileViewError | null = null;
  private closed = false;
  private pending: PendingRead[] = [];

  constructor(options: { readonly emitFirst?: boolean } = {}) {
    this.emitFirst = options.emitFirst ?? false;
  }

  /** Bytes appended so far (the stream's size). */
  get length(): number {
    return this.end;
  }

  /** True once the first content arrived. */
  get isPrimed(): boolean {
    return this.primed;
  }

  /** Resolves when the first content has arrived (or the stream ended). */
  whenPrimed(): Promise<void> {
    if (this.primed || this.closed || this.error) return Promise.resolve();
    return new Promise((resolve) => this.primedWaiters.push(resolve));
  }

  /** Feed a content (ends with a newline). The first one only primes the stream. */
  push(content: string): void {
    if (this.closed || this.error) return;
    if (!this.primed) {
      this.prime();
      this.lastContent = content;
      if (this.emitFirst) this.append(content);
      return;
    }
    this.append(content);
  }

  /**
   * Feed a content observed after a re-subscription: emitted only when it
   * differs from the last content seen (nothing is lost, nothing doubled).
   */
  pushIfChanged(content: string): void {
    if (!this.primed) return this.push(content);
    if (content !== this.lastContent) this.append(content);
  }

  /** Append `content` unconditionally (keep-alive). */
  keepAlive(content: string): void {
    if (this.closed || this.error) return;
    this.prime();
    this.append(content);
  }

  /** True when a reader is waiting at the end of the stream. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** Read up to `length` bytes at `position`, at most to the end of one line; waits at the end. */
  read(position: number, length: number): Promise<Buffer> {
    if (this.error) return Promise.reject(this.error);
    if (position < this.end || this.closed) return Promise.resolve(this.slice(position, length));
    return new Promise<Buffer>((resolve, reject) => this.pending.push({ position, length, resolve, reject }));
  }

  /** End the stream with an error: waiting and future reads fail with it. */
  fail(e: FileViewError): void {
    if (this.closed || this.error) return;
    this.error = e;
    for (const p of this.pending.splice(0)) p.reject(e);
    this.prime();
  }

  /** End the stream: waiting and future reads at the end get end-of-file. */
  close(): void {
    this.closed = true;
    for (const p of this.pending.splice(0)) p.resolve(Buffer.alloc(0));
    this.prime();
  }

  private prime(): void {
    this.primed = true;
    for (const w of this.primedWaiters.splice(0)) w();
  }

  private append(content: string): void {
    this.lastContent = content;
    const bytes = Buffer.from(content.endsWith('\n') ? content : `${content}\n`);
    this.chunks.push(bytes);
    this.end += bytes.length;
    this.lastAppendMs = Math.max(Date.now(), this.lastAppendMs + 1);
    while (this.chunks.length > 1 && this.end - this.base - (this.chunks[0]?.length ?? 0) >= KEEP_BYTES) {
      this.base += (this.chunks.shift() as Buffer).length;
    }
    const waiting = this.pending;
    this.pending = [];
    for (const p of waiting) {
      if (p.position < this.end) p.resolve(this.slice(p.position, p.length));
      else this.pending.push(p);
    }
  }

  private slice(position: number, length: number): Buffer {
    let offset = this.base;
    for (const chunk of this.chunks) {
      if (position < offset + chunk.length) {
        const from = Math.max(0, position - offset);
        return chunk.subarray(from, Math.min(chunk.length, from + length));
      }
      offset += chunk.length;
    }
    return Buffer.alloc(0);
  }
}

import { closeSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogSpec } from '../../ensemble/plan.js';
import { conciseFsError } from '../../common/fs-error-text.js';
import { makeDirs } from '../../common/make-dirs.js';

/** First wait before writing again after a failed write; doubles up to {@link MAX_RETRY_MS}. */
export const FIRST_RETRY_MS = 1000;
/** Longest wait between two attempts while file logging is suspended. */
export const MAX_RETRY_MS = 30_000;

/** Told when file logging stops (once per outage) and when it works again. */
export interface LogFileEvents {
  /** Writing failed (disk full, read-only): lines are dropped until a retry succeeds. */
  suspended(error: Error): void;
  /** A retry succeeded; `dropped` lines were not written meanwhile. */
  resumed(dropped: number): void;
}

/**
 * An append-only log file with size-based rotation (logrotate's `size` +
 * `rotate N`): when a write would take `file` past `maxBytes`, `file.N-1` →
 * `file.N`, …, `file` → `file.1`, and a new `file` is started. At most `keep`
 * rotated files are kept; `keep: 0` truncates instead. A single record larger
 * than `maxBytes` is still written whole, into a fresh file.
 *
 * Writes are synchronous and in order, so nothing is lost when the supervisor
 * exits right after a unit's last line.
 *
 * When a write fails (ENOSPC, EROFS, EDQUOT…) file logging for this file is
 * suspended, and said so once; lines are dropped (the in-memory ring and the
 * supervisor's own log still get them) and counted. The next write after a
 * backoff (1 s, doubling to 30 s) reopens the file and tries again; the first
 * that succeeds says so once, with the number of lines dropped, and writes a
 * marker line into the file itself.
 */
export class RotatingLogFile {
  private fd: number | null = null;
  private size = 0;
  private suspendedAt: number | null = null;
  private retryAt = 0;
  private retryMs = FIRST_RETRY_MS;
  private dropped = 0;
  private readonly events: LogFileEvents;

  constructor(
    readonly path: string,
    private readonly spec: LogSpec,
    events: ((error: Error) => void) | Partial<LogFileEvents> = {},
    private readonly now: () => number = Date.now,
  ) {
    const given = typeof events === 'function' ? { suspended: events } : events;
    this.events = { suspended: given.suspended ?? (() => {}), resumed: given.resumed ?? (() => {}) };
  }

  /** True while writes fail and lines are dropped. */
  get suspended(): boolean {
    return this.suspendedAt !== null;
  }

  /** Append `text` (which should end with a newline). Never throws. */
  write(text: string): void {
    if (this.suspendedAt !== null) {
      if (this.now() < this.retryAt) {
        this.dropped++;
        return;
      }
      const dropped = this.dropped;
      const marker = `{"ensemble":"file logging resumed","dropped":${dropped},"suspendedAt":"${new Date(this.suspendedAt).toISOString()}"}\n`;
      if (!this.tryWrite(marker + text)) {
        this.dropped++;
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
        this.retryAt = this.now() + this.retryMs;
        return;
      }
      this.suspendedAt = null;
      this.dropped = 0;
      this.retryMs = FIRST_RETRY_MS;
      this.report(() => this.events.resumed(dropped));
      return;
    }
    if (!this.tryWrite(text)) {
      this.suspendedAt = this.now();
      this.retryAt = this.suspendedAt + this.retryMs;
      this.dropped = 1;
    }
  }

  /** Close the file; a later write reopens it. */
  close(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Closing a file on a failing disk can report the failure again; the fd is gone anyway.
      }
    }
  }

  /** Write, rotating when needed; false (after reporting the first failure) when it failed. */
  private tryWrite(text: string): boolean {
    try {
      const bytes = Buffer.from(text, 'utf8');
      if (this.fd === null) this.open();
      if (this.size > 0 && this.size + bytes.length > this.spec.maxBytes) this.rotate();
      for (let off = 0; off < bytes.length; ) off += writeSync(this.fd as number, bytes, off, bytes.length - off);
      this.size += bytes.length;
      return true;
    } catch (e) {
      // Reopen on the next attempt: the fd may point at a file rotated away or on a remounted disk.
      this.close();
      if (this.suspendedAt === null) {
        const error = conciseFsError(e);
        this.report(() => this.events.suspended(error));
      }
      return false;
    }
  }

  private report(tell: () => void): void {
    try {
      tell();
    } catch {
      // A listener that throws must not break logging.
    }
  }

  private open(): void {
    makeDirs(dirname(this.path), 0o700);
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    const keep = this.spec.keep;
    if (keep <= 0) {
      rmSync(this.path, { force: true });
    } else {
      for (let i = keep - 1; i >= 1; i--) renameIfExists(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameIfExists(this.path, `${this.path}.1`);
    }
    this.open();
  }
}

function renameIfExists(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { conciseFsError } from '../../src/common/fs-error-text.js';
import { unitLog } from '../common/unit-log.js';
import type { StoreSnapshot } from './measure-store.js';

/**
 * Write `snapshot` to `file` so that a crash at any moment leaves either the
 * old or the new complete file: write a temp file in the same directory,
 * fsync it, rename it over `file`, fsync the directory.
 */
export function saveSnapshot(file: string, snapshot: StoreSnapshot): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const data = Buffer.from(`${JSON.stringify(snapshot)}\n`);
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    // A full disk must not also keep a half-written temporary file.
    rmSync(tmp, { force: true });
    throw conciseFsError(e);
  }
  try {
    const dir = openSync(dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // The rename is done; a directory that refuses fsync does not undo it.
  }
}

/** The saved snapshot, null when there is no file. Throws on a damaged file (the caller decides). */
export function loadSnapshot(file: string): StoreSnapshot | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<StoreSnapshot>;
  if (parsed.version !== 1 || typeof parsed.keys !== 'object' || parsed.keys === null) throw new Error(`${file} is not a store snapshot (version 1)`);
  return parsed as StoreSnapshot;
}

/** First wait before saving again after a failed save; doubles up to 30 s. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * Saves the store after changes without writing on every Set: at most one
 * write in flight, the next one waits `delayMs` and takes everything changed
 * meanwhile. `flush()` writes now (shutdown).
 *
 * A failed save (disk full, read-only) is reported once, then retried on its
 * own with a backoff (1 s doubling to 30 s) until it succeeds, which is
 * reported once too; the store keeps serving from memory meanwhile.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  private failing = false;
  private retryMs = FIRST_RETRY_MS;
  private failures = 0;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StoreSnapshot,
    private readonly delayMs: number,
    private readonly onError: (e: unknown) => void,
    private readonly onRecovered: (failures: number) => void = (failures) =>
      unitLog.info(`saved ${file} again (after ${failures} failed attempt${failures === 1 ? '' : 's'}); persistence resumed`),
  ) {}

  /** Note a change; a save follows within `delayMs` (or with the next retry while saves fail). */
  changed(): void {
    this.dirty = true;
    this.schedule(this.delayMs);
  }

  /** Save now if anything changed. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty) return;
    this.dirty = false;
    try {
      saveSnapshot(this.file, this.snapshot());
    } catch (e) {
      this.dirty = true;
      this.failures++;
      if (!this.failing) {
        this.failing = true;
        this.onError(e);
      } else {
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      }
      this.schedule(this.retryMs);
      return;
    }
    if (this.failing) {
      const failures = this.failures;
      this.failing = false;
      this.failures = 0;
      this.retryMs = FIRST_RETRY_MS;
      this.onRecovered(failures);
    }
  }

  /** Stop retrying (shutdown after the last flush). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, ms);
    // A retry alone must not keep a stopping unit alive.
    if (this.failing) this.timer.unref();
  }
}

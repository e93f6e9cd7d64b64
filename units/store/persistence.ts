import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { StoreSnapshot } from './measure-store.js';

/**
 * Write `snapshot` to `file` so that a crash at any moment leaves either the
 * old or the new complete file: write a temp file in the same directory,
 * fsync it, rename it over `file`, fsync the directory.
 */
export function saveSnapshot(file: string, snapshot: StoreSnapshot): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
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
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
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

/**
 * Saves the store after changes without writing on every Set: at most one
 * write in flight, the next one waits `delayMs` and takes everything changed
 * meanwhile. `flush()` writes now (shutdown).
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => StoreSnapshot,
    private readonly delayMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Note a change; a save follows within `delayMs`. */
  changed(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush();
    }, this.delayMs);
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
      this.onError(e);
    }
  }
}

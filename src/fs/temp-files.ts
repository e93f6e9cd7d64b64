import { FileViewError } from './errno.js';

/** Bounds of the temporary files editors create in the view. */
export interface TempFileLimits {
  /** Temporary files one directory may hold at once (ENOSPC beyond). */
  readonly perDir: number;
  /** Bytes one temporary file may hold (EFBIG beyond). */
  readonly fileBytes: number;
  /** Bytes all temporary files together may hold (ENOSPC beyond). */
  readonly totalBytes: number;
  /** A temporary file nobody has open and nobody touched for this long is dropped. */
  readonly idleMs: number;
}

/** Default {@link TempFileLimits}: 64 per directory, 1 MiB each, 16 MiB in all, dropped after 60 s unused. */
export const TEMP_FILE_LIMITS: TempFileLimits = { perDir: 64, fileBytes: 1 << 20, totalBytes: 16 << 20, idleMs: 60_000 };

/** One temporary file: its bytes and the attributes its creator set. */
export interface TempFile {
  /** Full view path (`/units/pump/sedAb12Cd`). */
  path: string;
  data: Buffer;
  size: number;
  /** Permission bits. */
  mode: number;
  uid: number;
  gid: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  /** Open handles. */
  opens: number;
  lastUse: number;
}

/**
 * Whether `name` looks like a temporary name, the only new names the view
 * accepts: hidden names (`.x.swp`, rsync's `.x.AbC123`, `.fuse_hidden…`),
 * backups (`x~`, `x.bak`, `x.orig`), `#x#`, sed -i's `sedXXXXXX`, perl -i's
 * `XXXXXXXX` (mkstemp of `XX` and 6 random characters), vim's
 * all-digit probe (`4913`), swap and partial files (`x.swp`, `x.part`,
 * `x.new`), and names containing `tmp`. Any other new name is refused, so a
 * misspelt value (`echo 1 > units/pump/setpont`) fails instead of vanishing.
 */
export function isTempName(name: string): boolean {
  return (
    name.startsWith('.') ||
    name.endsWith('~') ||
    (name.length > 2 && name.startsWith('#') && name.endsWith('#')) ||
    /^sed[A-Za-z0-9]{6}$/.test(name) ||
    /^XX[A-Za-z0-9]{6}$/.test(name) ||
    /^\d+$/.test(name) ||
    /tmp/i.test(name) ||
    /\.(sw[a-p]|swpx|bak|orig|old|new|part|temp)$/i.test(name)
  );
}

/** The directory part of a view path (`/units/pump/x` → `/units/pump`, `/x` → `/`). */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** The last segment of a view path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The temporary files of in-place editing (`sed -i`'s `sedXXXXXX`, vim's
 * `.x.swp`, `4913` and `x~`, `mv tmp value`), held in memory. They exist
 * only while an edit needs them: renamed over a value they are written to it
 * and disappear, unlinked they disappear, and one that is neither open nor
 * touched for {@link TempFileLimits.idleMs} is dropped. They never become
 * resources. Keys are full view paths as FUSE passes them.
 */
export class TempFiles {
  private readonly files = new Map<string, TempFile>();
  private readonly perDir = new Map<string, number>();
  private totalBytes = 0;

  constructor(
    readonly limits: TempFileLimits = TEMP_FILE_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The temporary file at `path`, if any (an expired one is dropped first). */
  get(path: string): TempFile | null {
    const f = this.files.get(path);
    if (!f) return null;
    if (f.opens === 0 && this.clock() - f.lastUse > this.limits.idleMs) {
      this.remove(path);
      return null;
    }
    return f;
  }

  /** Names of the temporary files in directory `dir` (a view path). */
  names(dir: string): string[] {
    if (!this.perDir.has(dir)) return [];
    const out: string[] = [];
    for (const path of [...this.files.keys()]) if (parentOf(path) === dir && this.get(path)) out.push(baseName(path));
    return out;
  }

  /** Create an empty temporary file (ENOSPC when its directory holds too many). */
  create(path: string, mode: number, uid: number, gid: number): TempFile {
    this.sweep();
    const dir = parentOf(path);
    if ((this.perDir.get(dir) ?? 0) >= this.limits.perDir) {
      throw new FileViewError('ENOSPC', `${path.slice(1)}: too many temporary files in ${dir.slice(1)} (at most ${this.limits.perDir})`);
    }
    const now = this.clock();
    const f: TempFile = { path, data: Buffer.alloc(0), size: 0, mode: mode & 0o7777, uid, gid, atimeMs: now, mtimeMs: now, ctimeMs: now, opens: 0, lastUse: now };
    this.add(f);
    return f;
  }

  /** Drop the temporary file at `path`; false when there is none. */
  remove(path: string): boolean {
    const f = this.files.get(path);
    if (!f) return false;
    this.files.delete(path);
    this.totalBytes -= f.data.length;
    const dir = parentOf(path);
    const n = (this.perDir.get(dir) ?? 1) - 1;
    if (n <= 0) this.perDir.delete(dir);
    else this.perDir.set(dir, n);
    return true;
  }

  /** Move a temporary file to `to` (replacing a temporary file there). */
  move(from: string, to: string): void {
    const f = this.files.get(from);
    if (!f) throw new FileViewError('ENOENT', `${from.slice(1)}: no such file`);
    if (from === to) return;
    const target = parentOf(to);
    if (parentOf(from) !== target && !this.files.has(to) && (this.perDir.get(target) ?? 0) >= this.limits.perDir) {
      throw new FileViewError('ENOSPC', `${to.slice(1)}: too many temporary files in ${target.slice(1)}`);
    }
    this.remove(to);
    this.remove(from);
    f.path = to;
    f.ctimeMs = this.clock();
    this.add(f);
  }

  /** The bytes at `position` (at most `length`). */
  read(f: TempFile, position: number, length: number): Buffer {
    this.use(f);
    if (position >= f.size) return Buffer.alloc(0);
    return f.data.subarray(position, Math.min(f.size, position + length));
  }

  /** Write `data` at `position` (a hole in between reads as zeros); EFBIG/ENOSPC beyond the limits. */
  write(f: TempFile, data: Buffer, position: number): number {
    const end = position + data.length;
    if (end > f.size) this.resize(f, end);
    data.copy(f.data, position);
    const now = this.clock();
    f.mtimeMs = now;
    f.ctimeMs = now;
    this.use(f);
    return data.length;
  }

  /** Set the size (truncate or extend with zeros). */
  truncate(f: TempFile, size: number): void {
    this.resize(f, size);
    const now = this.clock();
    f.mtimeMs = now;
    f.ctimeMs = now;
    this.use(f);
  }

  /** The content as text. */
  text(f: TempFile): string {
    return f.data.subarray(0, f.size).toString('utf8');
  }

  /** Mark a temporary file used now (keeps it from expiring). */
  use(f: TempFile): void {
    f.lastUse = this.clock();
  }

  /** Drop every expired temporary file. */
  sweep(): void {
    for (const path of [...this.files.keys()]) this.get(path);
  }

  private resize(f: TempFile, size: number): void {
    if (size > this.limits.fileBytes) {
      throw new FileViewError('EFBIG', `${f.path.slice(1)}: a temporary file holds at most ${this.limits.fileBytes} bytes`);
    }
    if (size > f.data.length) {
      const capacity = Math.min(this.limits.fileBytes, Math.max(size, f.data.length * 2, 256));
      if (this.totalBytes + capacity - f.data.length > this.limits.totalBytes) {
        throw new FileViewError('ENOSPC', `${f.path.slice(1)}: temporary files hold at most ${this.limits.totalBytes} bytes in all`);
      }
      const grown = Buffer.alloc(capacity);
      f.data.copy(grown, 0, 0, f.size);
      this.totalBytes += capacity - f.data.length;
      f.data = grown;
    } else if (size < f.size) {
      f.data.fill(0, size, f.size);
    }
    f.size = size;
  }

  private add(f: TempFile): void {
    this.files.set(f.path, f);
    this.totalBytes += f.data.length;
    const dir = parentOf(f.path);
    this.perDir.set(dir, (this.perDir.get(dir) ?? 0) + 1);
  }
}

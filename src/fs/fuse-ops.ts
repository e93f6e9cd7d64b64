import { ChangeTimes } from './change-times.js';
import { EditOps, modeOf } from './edit-ops.js';
import { withDeadline } from './deadline.js';
import { FileViewError, toFileViewError } from './errno.js';
import type { FuseHandlers, FuseStat } from './fuse-adapter.js';
import { type FileTree, type ResolvedNode, type WatchNode, splitLines } from './file-tree.js';
import { TempFiles, type TempFile, type TempFileLimits } from './temp-files.js';
import type { FileNode } from './tree-node.js';
import { formatTreePath, parseTreePath, type TreePath } from './tree-path.js';
import { subscribeWatch } from './watch-subscription.js';
import { WatchStream } from './watch-stream.js';

/** Options of {@link FuseOps}. */
export interface FuseOpsOptions {
  /**
   * A blocked watch read that saw no change for this long returns the current
   * value again, so an interrupted reader (Ctrl-C) never hangs longer and a
   * dead unit surfaces as EIO. Default 10000.
   */
  readonly watchKeepAliveMs?: number;
  /** Bounds of editors' temporary files (default TEMP_FILE_LIMITS). */
  readonly tempLimits?: TempFileLimits;
  /** Called with each error answered to a caller (for the supervisor's log). */
  readonly onError?: (e: FileViewError, op: string) => void;
}

interface FileHandle {
  readonly kind: 'file';
  readonly segs: TreePath;
  readonly node: FileNode;
  readonly content: Buffer | null;
  /** The value's last-change time when it was opened (fstat of this handle). */
  readonly mtimeMs: number;
  pending: string;
}

interface WatchHandle {
  readonly kind: 'watch';
  readonly path: string;
  readonly segs: TreePath;
  readonly node: WatchNode;
  stream: WatchStream;
  stop: () => void;
  /** True once this handle reads the path's shared stream (see {@link FuseOps.fgetattr}). */
  shared: boolean;
  /** True once something was read through this handle. */
  used: boolean;
}

interface TempHandle {
  readonly kind: 'temp';
  readonly file: TempFile;
}

type Handle = FileHandle | WatchHandle | TempHandle;

/** The stream of one watch path that every sized reader of it (tail -f) shares. */
interface SharedWatch {
  readonly stream: WatchStream;
  readonly stop: () => void;
  refs: number;
}

const EMPTY = Buffer.alloc(0);
const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
/** Deadline for the first value of a shared watch stream. */
const SHARE_DEADLINE_MS = 5000;

/**
 * Serves a {@link FileTree} through FUSE:
 * - attributes with the real current size (every getattr reads the value)
 *   and true times ({@link ChangeTimes}: a value's mtime/ctime is when it
 *   last changed, a directory's when a name came or went);
 * - per-open content snapshots (a value changing between two reads of one
 *   `cat` is never torn; `fstat` of the handle matches the snapshot);
 * - line-oriented writes (each complete line is applied at once and its
 *   error returned by that `write`; a trailing partial line at flush/close);
 * - blocking watch streams; a handle whose size is asked for (`lseek` to the
 *   end, what `tail -f` does) reads the path's shared stream, which starts
 *   with the current value and whose size grows with every change, so
 *   `tail -f`/`tail -F` follow it;
 * - editors' temporary files ({@link TempFiles}): created, written, renamed
 *   over a writable value (= written to it), unlinked.
 */
export class FuseOps implements FuseHandlers {
  private readonly handles = new Map<number, Handle>();
  private readonly shared = new Map<string, SharedWatch>();
  private nextHandle = 1;
  private readonly keepAliveMs: number;
  private readonly times = new ChangeTimes();
  private readonly temps: TempFiles;
  private readonly uid = process.getuid?.() ?? 0;
  private readonly gid = process.getgid?.() ?? 0;
  private readonly edits: EditOps;

  constructor(
    private readonly tree: FileTree,
    private readonly options: FuseOpsOptions = {},
  ) {
    this.keepAliveMs = options.watchKeepAliveMs ?? 10_000;
    this.temps = new TempFiles(options.tempLimits);
    this.edits = new EditOps({
      tree,
      temps: this.temps,
      times: this.times,
      uid: this.uid,
      gid: this.gid,
      writeLine: (node, segs, path, line) => this.writeLine(node, segs, path, line),
      run: (op, path, work) => this.opRaw(op, path, work),
    });
  }

  getattr(path: string): FuseStat | Promise<FuseStat> {
    const temp = this.temps.get(path);
    if (temp) return this.tempStat(temp);
    return this.op('getattr', path, async (segs) => {
      const node = await this.tree.resolve(segs);
      if (node.kind === 'dir') return this.stat('dir', 0o555, 0, this.times.timeOf(path));
      if (node.kind === 'watch') return this.watchStat(path);
      const mode = modeOf(node);
      if (node.access === 'write-only') return this.stat('file', mode, 0, this.times.timeOf(path));
      const content = await this.tree.readNode(node, segs);
      return this.stat('file', mode, Buffer.byteLength(content), this.times.observe(path, content, node.changedAt?.()));
    });
  }

  /**
   * Attributes of an open handle (FUSE asks this way for `lseek(…, SEEK_END)`;
   * plain `fstat` arrives as {@link getattr}). A value handle reports its
   * snapshot. A watch handle not yet read from switches to the path's shared
   * stream, which starts with the current value, so a reader that seeks to
   * the end to read the last lines (`tail`) finds them there.
   */
  fgetattr(path: string, handle: number): FuseStat | Promise<FuseStat> {
    const h = this.handles.get(handle);
    if (!h) return this.getattr(path);
    if (h.kind === 'temp') return this.tempStat(h.file);
    if (h.kind === 'file') return this.stat('file', modeOf(h.node), h.content?.length ?? 0, h.mtimeMs);
    if (h.shared) return this.watchStat(h.path);
    if (h.used) return this.stat('file', 0o444, h.stream.length, h.stream.lastAppendMs || this.times.timeOf(path));
    return this.op('fgetattr', path, async () => {
      await this.share(h);
      return this.watchStat(h.path);
    });
  }

  async readdir(path: string): Promise<string[]> {
    return this.op('readdir', path, async (segs) => {
      const names = await this.tree.list(segs);
      const temps = this.temps.names(path).filter((n) => !names.includes(n));
      const all = temps.length > 0 ? [...names, ...temps].sort() : names;
      this.times.observe(path, all.join('/'));
      return all;
    });
  }

  open(path: string, flags: number): number | Promise<number> {
    const temp = this.temps.get(path);
    if (temp) {
      temp.opens++;
      this.temps.use(temp);
      return this.add({ kind: 'temp', file: temp });
    }
    return this.op('open', path, async (segs) => {
      const mode = flags & O_ACCMODE;
      const wantsWrite = mode === O_WRONLY || mode === O_RDWR;
      const wantsRead = mode !== O_WRONLY;
      const { node, content } = await this.tree.resolveAndRead(segs, wantsRead);
      if (node.kind === 'dir') throw new FileViewError('EISDIR', `${formatTreePath(segs)}: is a directory`);
      if (node.kind === 'watch') {
        if (wantsWrite) throw new FileViewError('EACCES', `${formatTreePath(segs)}: read-only file`);
        return this.add(this.openWatch(node, segs, path));
      }
      if (wantsWrite && node.access === 'read-only') throw new FileViewError('EACCES', `${formatTreePath(segs)}: read-only file`);
      if (wantsRead && node.access === 'write-only') throw new FileViewError('EACCES', `${formatTreePath(segs)}: write-only file`);
      const mtimeMs = content === null ? this.times.timeOf(path) : this.times.observe(path, content, node.changedAt?.());
      return this.add({ kind: 'file', segs, node, content: content === null ? null : Buffer.from(content), mtimeMs, pending: '' });
    });
  }

  read(path: string, handle: number, length: number, position: number): Buffer | Promise<Buffer> {
    // Hot path: no path parsing, no promise for a file handle (its content was fetched at open).
    const h = this.handles.get(handle);
    if (h?.kind === 'file' && h.content) {
      const c = h.content;
      return position >= c.length ? EMPTY : c.subarray(position, Math.min(position + length, c.length));
    }
    if (h?.kind === 'temp') return this.temps.read(h.file, position, length);
    return this.op('read', path, async () => {
      const h = this.handle(handle);
      if (h.kind === 'watch') {
        h.used = true;
        return h.stream.read(position, length);
      }
      throw new FileViewError('EACCES', `${path}: not open for reading`);
    });
  }

  async write(path: string, handle: number, data: Buffer, position: number): Promise<number> {
    return this.opRaw('write', path, async () => {
      const h = this.handle(handle);
      if (h.kind === 'temp') return this.temps.write(h.file, data, position);
      if (h.kind !== 'file') throw new FileViewError('EACCES', `${path}: read-only file`);
      h.pending += data.toString('utf8');
      const cut = h.pending.lastIndexOf('\n');
      if (cut >= 0) {
        const complete = h.pending.slice(0, cut + 1);
        h.pending = h.pending.slice(cut + 1);
        for (const line of splitLines(complete)) await this.writeLine(h.node, h.segs, path, line);
      }
      return data.length;
    });
  }

  truncate(path: string, size: number): void | Promise<void> {
    const temp = this.temps.get(path);
    if (temp) return this.opRaw('truncate', path, async () => this.temps.truncate(temp, size));
    return this.op('truncate', path, async (segs) => {
      const node = await this.tree.resolve(segs);
      const where = formatTreePath(segs);
      if (node.kind === 'dir') throw new FileViewError('EISDIR', `${where}: is a directory`);
      if (node.kind === 'watch' || node.access === 'read-only') throw new FileViewError('EACCES', `${where}: read-only file`);
      // Truncation is how `echo v > file` opens a file; values are replaced by the write that follows.
    });
  }

  ftruncate(path: string, handle: number, size: number): void | Promise<void> {
    const h = this.handles.get(handle);
    if (h?.kind === 'temp') return this.opRaw('ftruncate', path, async () => this.temps.truncate(h.file, size));
    if (h?.kind === 'file') return; // opened for writing already; the next write replaces the value
    return this.truncate(path, size);
  }

  flush(path: string, handle: number): void | Promise<void> {
    // Hot path: a handle with nothing buffered (every read-only open) answers at once.
    const h = this.handles.get(handle);
    if (h?.kind !== 'file' || h.pending === '') return;
    return this.op('flush', path, () => this.applyPending(h, path));
  }

  fsync(path: string, handle: number): void | Promise<void> {
    return this.flush(path, handle);
  }

  release(path: string, handle: number): void | Promise<void> {
    const h = this.handles.get(handle);
    this.handles.delete(handle);
    if (h?.kind === 'watch') {
      h.stop();
      if (!h.shared) h.stream.close();
    } else if (h?.kind === 'temp') {
      h.file.opens--;
      this.temps.use(h.file);
    } else if (h?.kind === 'file' && h.pending !== '') {
      return this.op('release', path, () => this.applyPending(h, path));
    }
  }

  /** Create a temporary file (an editor's; see {@link TempFiles}). Names of the tree are taken (EEXIST). */
  async create(path: string, mode: number): Promise<number> {
    return this.opRaw('create', path, async () => {
      const file = await this.edits.makeTemp(path, mode);
      file.opens++;
      return this.add({ kind: 'temp', file });
    });
  }








  /** `mknod` of a regular file: a temporary file, as {@link create} without opening it. */
  mknod(path: string, mode: number): Promise<void> {
    return this.edits.mknod(path, mode);
  }

  /** Remove a temporary file; values cannot be removed (EACCES). */
  unlink(path: string): Promise<void> {
    return this.edits.unlink(path);
  }

  /** Rename a temporary file (over a writable value: write it there); see {@link EditOps.rename}. */
  rename(from: string, to: string): Promise<void> {
    return this.edits.rename(from, to);
  }

  chmod(path: string, mode: number): void | Promise<void> {
    return this.edits.chmod(path, mode);
  }

  chown(path: string, uid: number, gid: number): void | Promise<void> {
    return this.edits.chown(path, uid, gid);
  }

  utimens(path: string, atimeMs: number, mtimeMs: number): void {
    this.edits.utimens(path, atimeMs, mtimeMs);
  }

  /** End every open watch stream with end-of-file (before unmounting). */
  closeAll(): void {
    for (const h of this.handles.values()) {
      if (h.kind === 'watch') {
        h.stop();
        h.stream.close();
      }
    }
    for (const s of this.shared.values()) {
      s.stop();
      s.stream.close();
    }
    this.shared.clear();
  }

  private async writeLine(node: ResolvedNode, segs: TreePath, path: string, line: string): Promise<void> {
    await this.tree.writeLine(node, segs, line);
    this.times.touch(path);
  }

  private async applyPending(h: FileHandle, path: string): Promise<void> {
    if (h.pending === '') return;
    const line = h.pending;
    h.pending = '';
    await this.writeLine(h.node, h.segs, path, line);
  }

  private stat(type: 'dir' | 'file', mode: number, size: number, mtimeMs: number): FuseStat {
    return { type, mode, size, mtimeMs, uid: this.uid, gid: this.gid };
  }

  private tempStat(t: TempFile): FuseStat {
    return { type: 'file', mode: t.mode, size: t.size, mtimeMs: t.mtimeMs, ctimeMs: t.ctimeMs, atimeMs: t.atimeMs, uid: t.uid, gid: t.gid };
  }

  /** A watch path: the size and time of its shared stream when it has one. */
  private watchStat(path: string): FuseStat {
    const s = this.shared.get(path);
    if (s && s.stream.lastAppendMs > 0) return this.stat('file', 0o444, s.stream.length, s.stream.lastAppendMs);
    return this.stat('file', 0o444, 0, this.times.timeOf(path));
  }

  private openWatch(node: WatchNode, segs: TreePath, path: string): WatchHandle {
    const stream = new WatchStream();
    const stop = subscribeWatch(this.tree, node.target, segs, stream, this.keepAliveMs);
    return { kind: 'watch', path, segs, node, stream, stop, shared: false, used: false };
  }

  /** Move a fresh watch handle onto the shared stream of its path (created with the current value). */
  private async share(h: WatchHandle): Promise<void> {
    let s = this.shared.get(h.path);
    if (!s) {
      const stream = new WatchStream({ emitFirst: true });
      s = { stream, stop: subscribeWatch(this.tree, h.node.target, h.segs, stream, this.keepAliveMs), refs: 0 };
      this.shared.set(h.path, s);
    }
    const joined = s;
    joined.refs++;
    h.stop();
    h.stream.close();
    h.stream = joined.stream;
    h.shared = true;
    let left = false;
    h.stop = () => {
      if (left) return;
      left = true;
      joined.refs--;
      if (joined.refs > 0) return;
      joined.stop();
      joined.stream.close();
      if (this.shared.get(h.path) === joined) this.shared.delete(h.path);
    };
    await withDeadline(joined.stream.whenPrimed(), SHARE_DEADLINE_MS, formatTreePath(h.segs));
  }




  private add(h: Handle): number {
    const n = this.nextHandle;
    this.nextHandle = n >= 0x7fffffff ? 1 : n + 1;
    this.handles.set(n, h);
    return n;
  }

  private handle(n: number): Handle {
    const h = this.handles.get(n);
    if (!h) throw new FileViewError('EIO', `no open file with handle ${n}`);
    return h;
  }

  private async op<T>(name: string, path: string, work: (segs: TreePath) => Promise<T>): Promise<T> {
    return this.opRaw(name, path, () => work(parseTreePath(path)));
  }

  private async opRaw<T>(name: string, path: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const err = toFileViewError(path.replace(/^\//, ''), e);
      this.options.onError?.(err, name);
      throw err;
    }
  }
}

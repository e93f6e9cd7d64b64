import { FileViewError, toFileViewError } from './errno.js';
import type { FuseHandlers, FuseStat } from './fuse-adapter.js';
import { type FileTree, type ResolvedNode, splitLines } from './file-tree.js';
import type { FileNode } from './tree-node.js';
import { formatTreePath, parseTreePath, type TreePath } from './tree-path.js';
import { WatchStream } from './watch-stream.js';

/** Options of {@link FuseOps}. */
export interface FuseOpsOptions {
  /**
   * A blocked watch read that saw no change for this long returns the current
   * value again, so an interrupted reader (Ctrl-C) never hangs longer and a
   * dead unit surfaces as EIO. Default 10000.
   */
  readonly watchKeepAliveMs?: number;
  /** Called with each error answered to a caller (for the supervisor's log). */
  readonly onError?: (e: FileViewError, op: string) => void;
}

interface FileHandle {
  readonly kind: 'file';
  readonly segs: TreePath;
  readonly node: FileNode;
  readonly content: Buffer | null;
  pending: string;
}

interface WatchHandle {
  readonly kind: 'watch';
  readonly stream: WatchStream;
  readonly stop: () => void;
}

const EMPTY = Buffer.alloc(0);
const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;

/**
 * Serves a {@link FileTree} through FUSE: attributes with the real current
 * size (every getattr reads the value), per-open content snapshots (a value changing between two reads of one
 * `cat` is never torn), line-oriented writes (each complete line is applied at
 * once and its error returned by that `write`; a trailing partial line at
 * flush/close) and blocking watch streams.
 */
export class FuseOps implements FuseHandlers {
  private readonly handles = new Map<number, FileHandle | WatchHandle>();
  private nextHandle = 1;
  private readonly keepAliveMs: number;

  constructor(
    private readonly tree: FileTree,
    private readonly options: FuseOpsOptions = {},
  ) {
    this.keepAliveMs = options.watchKeepAliveMs ?? 10_000;
  }

  async getattr(path: string): Promise<FuseStat> {
    return this.op('getattr', path, async (segs) => {
      const node = await this.tree.resolve(segs);
      const now = Date.now();
      if (node.kind === 'dir') return { type: 'dir', mode: 0o555, size: 0, mtimeMs: now };
      if (node.kind === 'watch') return { type: 'file', mode: 0o444, size: 0, mtimeMs: now };
      const mode = node.access === 'read-only' ? 0o444 : node.access === 'read-write' ? 0o644 : 0o200;
      if (node.access === 'write-only') return { type: 'file', mode, size: 0, mtimeMs: now };
      const content = await this.freshContent(node, segs);
      return { type: 'file', mode, size: content.length, mtimeMs: now };
    });
  }

  async readdir(path: string): Promise<string[]> {
    return this.op('readdir', path, (segs) => this.tree.list(segs));
  }

  async open(path: string, flags: number): Promise<number> {
    return this.op('open', path, async (segs) => {
      const mode = flags & O_ACCMODE;
      const wantsWrite = mode === O_WRONLY || mode === O_RDWR;
      const wantsRead = mode !== O_WRONLY;
      const { node, content } = await this.tree.resolveAndRead(segs, wantsRead);
      if (node.kind === 'dir') throw new FileViewError('EISDIR', `${formatTreePath(segs)}: is a directory`);
      if (node.kind === 'watch') {
        if (wantsWrite) throw new FileViewError('EACCES', `${formatTreePath(segs)}: read-only file`);
        return this.add(this.openWatch(node, segs));
      }
      if (wantsWrite && node.access === 'read-only') throw new FileViewError('EACCES', `${formatTreePath(segs)}: read-only file`);
      if (wantsRead && node.access === 'write-only') throw new FileViewError('EACCES', `${formatTreePath(segs)}: write-only file`);
      return this.add({ kind: 'file', segs, node, content: content === null ? null : Buffer.from(content), pending: '' });
    });
  }

  read(path: string, handle: number, length: number, position: number): Buffer | Promise<Buffer> {
    // Hot path: no path parsing, no promise for a file handle (its content was fetched at open).
    const h = this.handles.get(handle);
    if (h?.kind === 'file' && h.content) {
      const c = h.content;
      return position >= c.length ? EMPTY : c.subarray(position, Math.min(position + length, c.length));
    }
    return this.op('read', path, async () => {
      const h = this.handle(handle);
      if (h.kind === 'watch') return h.stream.read(position, length);
      throw new FileViewError('EACCES', `${path}: not open for reading`);
    });
  }

  async write(path: string, handle: number, data: Buffer): Promise<number> {
    return this.op('write', path, async () => {
      const h = this.handle(handle);
      if (h.kind !== 'file') throw new FileViewError('EACCES', `${path}: read-only file`);
      h.pending += data.toString('utf8');
      const cut = h.pending.lastIndexOf('\n');
      if (cut >= 0) {
        const complete = h.pending.slice(0, cut + 1);
        h.pending = h.pending.slice(cut + 1);
        for (const line of splitLines(complete)) await this.tree.writeLine(h.node, h.segs, line);
      }
      return data.length;
    });
  }

  async truncate(path: string): Promise<void> {
    return this.op('truncate', path, async (segs) => {
      const node = await this.tree.resolve(segs);
      const where = formatTreePath(segs);
      if (node.kind === 'dir') throw new FileViewError('EISDIR', `${where}: is a directory`);
      if (node.kind === 'watch' || node.access === 'read-only') throw new FileViewError('EACCES', `${where}: read-only file`);
      // Truncation is how `echo v > file` opens a file; values are replaced by the write that follows.
    });
  }

  flush(path: string, handle: number): void | Promise<void> {
    // Hot path: a handle with nothing buffered (every read-only open) answers at once.
    const h = this.handles.get(handle);
    if (h?.kind !== 'file' || h.pending === '') return;
    return this.op('flush', path, () => this.applyPending(h));
  }

  release(path: string, handle: number): void | Promise<void> {
    const h = this.handles.get(handle);
    this.handles.delete(handle);
    if (h?.kind === 'watch') {
      h.stop();
      h.stream.close();
    } else if (h?.kind === 'file' && h.pending !== '') {
      return this.op('release', path, () => this.applyPending(h));
    }
  }

  /** End every open watch stream with end-of-file (before unmounting). */
  closeAll(): void {
    for (const h of this.handles.values()) {
      if (h.kind === 'watch') {
        h.stop();
        h.stream.close();
      }
    }
  }

  private async applyPending(h: FileHandle): Promise<void> {
    if (h.pending === '') return;
    const line = h.pending;
    h.pending = '';
    await this.tree.writeLine(h.node, h.segs, line);
  }

  private openWatch(node: Extract<ResolvedNode, { kind: 'watch' }>, segs: TreePath): WatchHandle {
    const stream = new WatchStream();
    let stopWatch: (() => void) | null = null;
    let closed = false;
    let retry: NodeJS.Timeout | null = null;
    const subscribe = (): void => {
      let first = true;
      stopWatch = this.tree.watchNode(
        node.target,
        segs,
        (content) => {
          if (first) {
            first = false;
            stream.pushIfChanged(content);
          } else stream.push(content);
        },
        () => {
          // The subscription broke (unit restarting?): try again; the keep-alive reports a unit that stays away.
          stopWatch?.();
          if (!closed) retry = setTimeout(subscribe, 1000);
        },
      );
    };
    subscribe();
    const keepAlive = setInterval(() => {
      if (!stream.waiting) return;
      this.tree.readNode(node.target, segs).then(
        (content) => stream.keepAlive(content),
        (e: unknown) => stream.fail(toFileViewError(formatTreePath(segs), e)),
      );
    }, this.keepAliveMs);
    keepAlive.unref();
    return {
      kind: 'watch',
      stream,
      stop: () => {
        closed = true;
        clearInterval(keepAlive);
        if (retry) clearTimeout(retry);
        stopWatch?.();
      },
    };
  }

  private async freshContent(node: FileNode, segs: TreePath): Promise<Buffer> {
    return Buffer.from(await this.tree.readNode(node, segs));
  }

  private add(h: FileHandle | WatchHandle): number {
    const n = this.nextHandle;
    this.nextHandle = n >= 0x7fffffff ? 1 : n + 1;
    this.handles.set(n, h);
    return n;
  }

  private handle(n: number): FileHandle | WatchHandle {
    const h = this.handles.get(n);
    if (!h) throw new FileViewError('EIO', `no open file with handle ${n}`);
    return h;
  }

  private async op<T>(name: string, path: string, work: (segs: TreePath) => Promise<T>): Promise<T> {
    try {
      return await work(parseTreePath(path));
    } catch (e) {
      const err = toFileViewError(path.replace(/^\//, ''), e);
      this.options.onError?.(err, name);
      throw err;
    }
  }
}

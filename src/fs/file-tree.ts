import { UnitNotFoundError } from '../common/errors.js';
import { withDeadline } from './deadline.js';
import { FileViewError, toFileViewError } from './errno.js';
import { supervisorDir, unitStatusDir } from './status-files.js';
import type { TreeBackend } from './tree-backend.js';
import { dynamicDir, staticDir, valueFile, type DirNode, type FileAccess, type FileNode, type TreeNode } from './tree-node.js';
import { formatTreePath, parseTreePath, type TreePath } from './tree-path.js';
import { UnitResourcesDir } from './unit-resources-dir.js';

/** Suffix of the watch companion of a readable file (`units/x/temp.watch`). */
export const WATCH_SUFFIX = '.watch';

/** Options of a {@link FileTree}. */
export interface FileTreeOptions {
  /** Deadline of every call the tree makes to the supervisor or a unit; EIO after it. Default 5000. */
  readonly timeoutMs?: number;
  /** Poll interval for watching files without push updates. Default 1000. */
  readonly pollMs?: number;
  /** Where `peers/<node>/…` comes from (the network); without it `peers/` is empty. */
  readonly peers?: PeerSource;
}

/**
 * The other nodes of the network, for `peers/<node>/…` (each shown as the
 * same tree, served by its own backend; src/network/peer-tree-backend.ts).
 */
export interface PeerSource {
  /** Names of the other nodes (called on every lookup of `peers/`). */
  names(): string[];
  /** The backend serving node `name`'s tree. */
  backend(name: string): TreeBackend;
}

/** A watch companion: reading it yields the watched file's next contents. */
export interface WatchNode {
  readonly kind: 'watch';
  readonly target: FileNode;
}

/** What a path resolves to. */
export type ResolvedNode = TreeNode | WatchNode;

/** What `stat` says about a path. */
export interface TreeStat {
  readonly type: 'dir' | 'file' | 'watch';
  /** For files: how they may be used; watch companions and directories are read-only. */
  readonly access: FileAccess;
}

/**
 * The file view (docs/file-view.md "The tree") as a tree, independent of FUSE. The
 * FUSE mount and `supervisor fs ls|cat|write` both serve this same tree, so
 * both show the same names, contents and errors.
 *
 * ```
 * units/<unit>/<resource path>   status/<unit>/{state,pid,…,control}
 * services/<service>             supervisor/{state,pid,version,control}
 * peers/<node>/…                 the same tree of each other node (options.peers)
 * ```
 * Every error is a {@link FileViewError} carrying the errno to report.
 */
export class FileTree {
  private readonly root: DirNode;
  private readonly unitDirs = new Map<string, UnitResourcesDir>();
  private readonly peerTrees = new Map<string, FileTree>();
  private readonly timeoutMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly backend: TreeBackend,
    options: FileTreeOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.pollMs = options.pollMs ?? 1000;
    const unitNames = async (): Promise<string[]> => (await backend.listUnits()).map((u) => u.name);
    this.root = staticDir({
      units: dynamicDir(unitNames, (name) => this.unitDir(name).root()),
      status: dynamicDir(unitNames, (name) => unitStatusDir(backend, name)),
      services: dynamicDir(
        async () => (await backend.listServices()).map((s) => s.name),
        (name) =>
          valueFile(async () => {
            const found = (await backend.listServices()).find((s) => s.name === name);
            if (!found) throw new FileViewError('ENOENT', `services/${name}: no such service`);
            return found.address;
          }),
      ),
      supervisor: supervisorDir(backend),
      peers: options.peers ? this.peersDir(options.peers) : staticDir({}),
    });
  }

  /** Resolve a path to its node. ENOENT when it does not exist, ENOTDIR when a file is used as a directory. */
  async resolve(path: string | TreePath): Promise<ResolvedNode> {
    const segs = typeof path === 'string' ? parseTreePath(path) : path;
    return this.guard(segs, () => this.walk(segs));
  }

  /**
   * Resolve a path and, when `read` is set and it is a readable file, read
   * it too, under one deadline (what an open for reading needs).
   */
  async resolveAndRead(segs: TreePath, read: boolean): Promise<{ readonly node: ResolvedNode; readonly content: string | null }> {
    return this.guard(segs, async () => {
      const node = await this.walk(segs);
      const content = read && node.kind === 'file' && node.access !== 'write-only' ? await node.read() : null;
      return { node, content };
    });
  }

  /** Type and access of a path. */
  async stat(path: string | TreePath): Promise<TreeStat> {
    const node = await this.resolve(path);
    if (node.kind === 'dir') return { type: 'dir', access: 'read-only' };
    if (node.kind === 'watch') return { type: 'watch', access: 'read-only' };
    return { type: 'file', access: node.access };
  }

  /** The names in a directory (watch companions are not listed). */
  async list(path: string | TreePath): Promise<string[]> {
    const segs = typeof path === 'string' ? parseTreePath(path) : path;
    return this.guard(segs, async () => {
      const node = await this.walk(segs);
      if (node.kind !== 'dir') throw new FileViewError('ENOTDIR', `${formatTreePath(segs)}: not a directory`);
      return node.entries();
    });
  }

  /** The content of a file (ends with a newline). EISDIR for directories, EACCES for write-only files. */
  async read(path: string | TreePath): Promise<string> {
    const segs = typeof path === 'string' ? parseTreePath(path) : path;
    return this.guard(segs, async () => readNode(await this.walk(segs), segs));
  }

  /** The content of a node already resolved (same errors as {@link read}). */
  async readNode(node: ResolvedNode, path: TreePath): Promise<string> {
    return this.guard(path, async () => readNode(node, path));
  }

  /**
   * Write `data` line by line (a trailing newline is optional): `42\n` sets
   * 42. EACCES for read-only files, EINVAL when the value is refused.
   */
  async write(path: string | TreePath, data: string): Promise<void> {
    const segs = typeof path === 'string' ? parseTreePath(path) : path;
    const node = await this.resolve(segs);
    for (const line of splitLines(data)) await this.writeLine(node, segs, line);
  }

  /** Apply one line to a resolved node. */
  async writeLine(node: ResolvedNode, path: TreePath, line: string): Promise<void> {
    return this.guard(path, async () => {
      const where = formatTreePath(path);
      if (node.kind === 'dir') throw new FileViewError('EISDIR', `${where}: is a directory`);
      if (node.kind === 'watch' || !node.write) throw new FileViewError('EACCES', `${where}: read-only file`);
      await node.write(line);
    });
  }

  /**
   * Watch a file: `onContent` gets the current content, then every new
   * content, until the returned function is called. Push-based for unit
   * status and watchable resources, polling (`pollMs`) otherwise.
   */
  watchNode(node: FileNode, path: TreePath, onContent: (content: string) => void, onError: (e: FileViewError) => void): () => void {
    const where = formatTreePath(path);
    const fail = (e: unknown): void => onError(toFileViewError(where, e));
    if (node.watch) return node.watch(onContent, fail);
    let last: string | null = null;
    let closed = false;
    let timer: NodeJS.Timeout | null = null;
    const poll = (): void => {
      withDeadline(node.read(), this.timeoutMs, where).then(
        (content) => {
          if (closed) return;
          if (content !== last) {
            last = content;
            onContent(content);
          }
          timer = setTimeout(poll, this.pollMs);
        },
        (e: unknown) => {
          if (!closed) fail(e);
        },
      );
    };
    poll();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
    };
  }

  /** Release the backend and every subscription. */
  close(): void {
    for (const dir of this.unitDirs.values()) dir.close();
    this.unitDirs.clear();
    for (const tree of this.peerTrees.values()) tree.close();
    this.peerTrees.clear();
    this.backend.close();
  }

  /** `peers/`: one nested tree (without `peers/` of its own) per node of the network. */
  private peersDir(peers: PeerSource): DirNode {
    return dynamicDir(
      async () => peers.names(),
      (node) => {
        let tree = this.peerTrees.get(node);
        if (!tree) {
          tree = new FileTree(peers.backend(node), { timeoutMs: this.timeoutMs, pollMs: this.pollMs });
          this.peerTrees.set(node, tree);
        }
        return tree.root;
      },
    );
  }

  private unitDir(name: string): UnitResourcesDir {
    let dir = this.unitDirs.get(name);
    if (!dir) {
      dir = new UnitResourcesDir(this.backend, name);
      this.unitDirs.set(name, dir);
    }
    return dir;
  }

  private async walk(segs: TreePath): Promise<ResolvedNode> {
    let node: TreeNode = this.root;
    for (let i = 0; i < segs.length; i++) {
      const name = segs[i] as string;
      if (node.kind !== 'dir') throw new FileViewError('ENOTDIR', `${formatTreePath(segs.slice(0, i))}: not a directory`);
      const child: TreeNode | null = await node.child(name);
      if (child) {
        node = child;
        continue;
      }
      if (i === segs.length - 1 && name.endsWith(WATCH_SUFFIX) && name.length > WATCH_SUFFIX.length) {
        const target = await node.child(name.slice(0, -WATCH_SUFFIX.length));
        if (target?.kind === 'file' && target.access !== 'write-only') return { kind: 'watch', target };
      }
      throw notFound(segs, i);
    }
    return node;
  }

  private async guard<T>(segs: TreePath, work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), this.timeoutMs, () => formatTreePath(segs));
    } catch (e) {
      throw toFileViewError(formatTreePath(segs), e);
    }
  }
}

function notFound(segs: TreePath, i: number): FileViewError {
  const where = formatTreePath(segs);
  if (i === 1 && (segs[0] === 'units' || segs[0] === 'status')) {
    return new FileViewError('ENOENT', `${where}: ${new UnitNotFoundError(segs[1] as string).message}`, { code: 'ENS_E_UNIT_NOT_FOUND' });
  }
  return new FileViewError('ENOENT', `${where}: no such file or directory`);
}

async function readNode(node: ResolvedNode, segs: TreePath): Promise<string> {
  if (node.kind === 'file' && node.access !== 'write-only') return node.read();
  const where = formatTreePath(segs);
  if (node.kind === 'dir') throw new FileViewError('EISDIR', `${where}: is a directory`);
  if (node.kind === 'watch') throw new FileViewError('EINVAL', `${where}: a watch file is read as a stream`);
  throw new FileViewError('EACCES', `${where}: write-only file`);
}

/** Split written data into lines; a last line without newline counts, empty trailing line does not. */
export function splitLines(data: string): string[] {
  const lines = data.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

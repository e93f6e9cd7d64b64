import type { ChangeTimes } from './change-times.js';
import { FileViewError } from './errno.js';
import { type FileTree, type ResolvedNode, splitLines } from './file-tree.js';
import { baseName, isTempName, parentOf, type TempFile, type TempFiles } from './temp-files.js';
import type { FileNode } from './tree-node.js';
import { formatTreePath, isValidSegment, parseTreePath, type TreePath } from './tree-path.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
/** How (uid_t)-1, "leave unchanged", arrives from the binding. */
const UNCHANGED_ID = 0xffffffff;
/** How UTIME_NOW and UTIME_OMIT arrive from the binding (their nanoseconds as milliseconds of second 0). */
const UTIME_SPECIAL_MS = 1073;

/** The permission bits a view file shows. */
export function modeOf(node: FileNode): number {
  return node.access === 'read-only' ? 0o444 : node.access === 'read-write' ? 0o644 : 0o200;
}

/** What {@link EditOps} works with (owned by FuseOps). */
export interface EditOpsDeps {
  readonly tree: FileTree;
  readonly temps: TempFiles;
  readonly times: ChangeTimes;
  readonly uid: number;
  readonly gid: number;
  /** Apply one line to a value (and mark it changed). */
  writeLine(node: ResolvedNode, segs: TreePath, path: string, line: string): Promise<void>;
  /** Run an operation, reporting its error (FuseOps' error logging). */
  run<T>(op: string, path: string, work: () => Promise<T>): Promise<T>;
}

/**
 * The name-level operations of in-place editing: creating, removing,
 * renaming and re-moding names. Temporary files ({@link TempFiles}) can do
 * all of it; a temporary file renamed over a writable value is written to
 * it; values themselves stay where they are (a rename to a temporary name
 * copies one), keep their mode and owner, and their times (utimens is
 * accepted and ignored). Errors are FileViewErrors with the errno to answer.
 */
export class EditOps {
  private readonly tree: FileTree;
  private readonly temps: TempFiles;
  private readonly times: ChangeTimes;
  private readonly uid: number;
  private readonly gid: number;

  constructor(private readonly deps: EditOpsDeps) {
    this.tree = deps.tree;
    this.temps = deps.temps;
    this.times = deps.times;
    this.uid = deps.uid;
    this.gid = deps.gid;
  }

  /** `mknod` of a regular file: a temporary file, as `create` without opening it. */
  async mknod(path: string, mode: number): Promise<void> {
    return this.run('mknod', path, async () => {
      if ((mode & S_IFMT) !== S_IFREG && (mode & S_IFMT) !== 0) throw new FileViewError('EPERM', `${path.slice(1)}: only regular files can be created`);
      await this.makeTemp(path, mode);
    });
  }

  /** Remove a temporary file; values cannot be removed (EACCES). */
  async unlink(path: string): Promise<void> {
    return this.run('unlink', path, async () => {
      if (this.temps.remove(path)) {
        this.times.touch(parentOf(path));
        return;
      }
      await this.resolveRaw(path);
      throw new FileViewError('EACCES', `${path.slice(1)}: files of the view cannot be removed`);
    });
  }

  /**
   * Rename a temporary file: over a writable value it is written to the value
   * (line by line, like `cat tmp > value`) and disappears; over a read-only
   * value EACCES; over another temporary file or a free name it moves.
   * Values themselves cannot be renamed (EACCES).
   */
  async rename(from: string, to: string): Promise<void> {
    return this.run('rename', from, async () => {
      const temp = this.temps.get(from);
      if (!temp) return this.copyAway(from, to);
      const target = this.temps.get(to) ? null : await this.resolveRaw(to, true);
      if (target === null) {
        await this.requireDir(parentOf(to));
        this.temps.move(from, to);
      } else {
        const toSegs = parseTreePath(to);
        const where = formatTreePath(toSegs);
        if (target.kind === 'dir') throw new FileViewError('EISDIR', `${where}: is a directory`);
        if (target.kind === 'watch' || !target.write) throw new FileViewError('EACCES', `${where}: read-only file`);
        for (const line of splitLines(this.temps.text(temp))) await this.writeLine(target, toSegs, to, line);
        this.temps.remove(from);
      }
      this.times.touch(parentOf(from));
      if (parentOf(to) !== parentOf(from)) this.times.touch(parentOf(to));
    });
  }

  /**
   * A value cannot move. Renamed to a free temporary name (`sed -i.bak`,
   * vim's backup), its current content is copied there and the value stays;
   * any other rename of a value is refused (EACCES).
   */
  private async copyAway(from: string, to: string): Promise<void> {
    const node = await this.resolveRaw(from);
    const refuse = (): never => {
      throw new FileViewError('EACCES', `${from.slice(1)}: files of the view cannot be renamed`);
    };
    if (node.kind !== 'file' || node.access === 'write-only' || !isTempName(baseName(to))) return refuse();
    const replacing = this.temps.get(to) !== null;
    if (!replacing && (await this.resolveRaw(to, true)) !== null) return refuse();
    const content = await this.tree.readNode(node, parseTreePath(from));
    // Like rename(2), an existing temporary file at `to` (the previous run's `x.bak`) is replaced.
    if (replacing) this.temps.remove(to);
    const copy = await this.makeTemp(to, modeOf(node));
    try {
      this.temps.write(copy, Buffer.from(content), 0);
      copy.mtimeMs = this.times.observe(from, content, node.changedAt?.());
    } catch (e) {
      this.temps.remove(to);
      throw e;
    }
  }

  /** Permission bits of a temporary file; on a value only its own mode is accepted (EPERM otherwise). */
  chmod(path: string, mode: number): void | Promise<void> {
    const temp = this.temps.get(path);
    if (temp) {
      temp.mode = mode & 0o7777;
      temp.ctimeMs = Date.now();
      return;
    }
    return this.run('chmod', path, async () => {
      const node = await this.resolveRaw(path);
      const current = node.kind === 'dir' ? 0o555 : node.kind === 'watch' ? 0o444 : modeOf(node);
      if ((mode & 0o7777) !== current) throw new FileViewError('EPERM', `${path.slice(1)}: the mode of a view file is fixed (${current.toString(8)})`);
    });
  }

  /** Owner of a temporary file; on a value only its own owner is accepted (EPERM otherwise). */
  chown(path: string, uid: number, gid: number): void | Promise<void> {
    const temp = this.temps.get(path);
    if (temp) {
      if (uid !== UNCHANGED_ID && uid !== -1) temp.uid = uid;
      if (gid !== UNCHANGED_ID && gid !== -1) temp.gid = gid;
      temp.ctimeMs = Date.now();
      return;
    }
    const same = (id: number, own: number): boolean => id === UNCHANGED_ID || id === -1 || id === own;
    if (same(uid, this.uid) && same(gid, this.gid)) return;
    return this.run('chown', path, async () => {
      throw new FileViewError('EPERM', `${path.slice(1)}: the owner of a view file is fixed`);
    });
  }

  /** Times of a temporary file. A value's times are when it changed: setting them is accepted and ignored. */
  utimens(path: string, atimeMs: number, mtimeMs: number): void {
    const temp = this.temps.get(path);
    if (!temp) return;
    const now = Date.now();
    temp.atimeMs = atimeMs === UTIME_SPECIAL_MS ? now : atimeMs;
    temp.mtimeMs = mtimeMs === UTIME_SPECIAL_MS ? now : mtimeMs;
    temp.ctimeMs = now;
  }

  async makeTemp(path: string, mode: number): Promise<TempFile> {
    const dir = parentOf(path);
    if (dir === '/') throw new FileViewError('EACCES', `${path.slice(1)}: no files can be created at the root of the view`);
    await this.requireDir(dir);
    if (this.temps.get(path) || (await this.resolveRaw(path, true)) !== null) throw new FileViewError('EEXIST', `${path.slice(1)}: file exists`);
    if (!isTempName(baseName(path))) {
      throw new FileViewError('EACCES', `${path.slice(1)}: no such value, and not a temporary name (.name, name~, name.tmp, …) that an edit may create`);
    }
    const file = this.temps.create(path, mode, this.uid, this.gid);
    this.times.touch(dir);
    return file;
  }

  private async requireDir(dir: string): Promise<void> {
    const node = await this.resolveRaw(dir);
    if (node.kind !== 'dir') throw new FileViewError('ENOTDIR', `${dir.slice(1)}: not a directory`);
  }

  /** Resolve a raw FUSE path; with `orNull`, a name that does not exist (or cannot exist) gives null. */
  private async resolveRaw(path: string, orNull: true): Promise<ResolvedNode | null>;
  private async resolveRaw(path: string): Promise<ResolvedNode>;
  private async resolveRaw(path: string, orNull = false): Promise<ResolvedNode | null> {
    const name = baseName(path);
    if (orNull && path !== '/' && !isValidSegment(name)) {
      await this.requireDir(parentOf(path));
      return null;
    }
    try {
      return await this.tree.resolve(parseTreePath(path));
    } catch (e) {
      if (orNull && e instanceof FileViewError && e.errno === 'ENOENT') return null;
      throw e;
    }
  }

  private writeLine(node: ResolvedNode, segs: TreePath, path: string, line: string): Promise<void> {
    return this.deps.writeLine(node, segs, path, line);
  }

  private run<T>(op: string, path: string, work: () => Promise<T>): Promise<T> {
    return this.deps.run(op, path, work);
  }
}

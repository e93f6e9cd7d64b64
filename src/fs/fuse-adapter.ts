import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ERRNO_NUMBERS } from '../wire/errno-table.js';
import { FileViewError } from './errno.js';

/**
 * The only file that knows fuse-native. Everything else talks to the
 * {@link FuseHandlers} interface, so replacing the binding (fuse3, a
 * different package) touches this file alone.
 *
 * How fuse-native dispatches: libfuse2 runs `fuse_loop_mt` on its own
 * threads; each operation is handed to the Node event loop (uv_async) and the
 * libfuse thread waits until the JavaScript callback answers. An operation
 * that has not answered (a blocked watch read) holds only its own libfuse
 * thread; libfuse starts more threads for other operations, so the mount
 * stays responsive. The Node event loop itself must never block on the
 * mount: nothing in the supervisor touches its own mount point synchronously.
 */

/** Attributes of one path. */
export interface FuseStat {
  readonly type: 'dir' | 'file';
  /** Permission bits (e.g. 0o444). */
  readonly mode: number;
  readonly size: number;
  /** When the content last changed. */
  readonly mtimeMs: number;
  /** When content or attributes last changed (default: mtimeMs). */
  readonly ctimeMs?: number;
  /** Default: mtimeMs. */
  readonly atimeMs?: number;
  /** Default: this process's uid / gid. */
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * A handler's answer: a value at once (answered to the kernel in the same
 * turn of the event loop: the hot path of reads, flushes and releases of a
 * plain open-read-close) or a promise.
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * The operations a mounted tree answers. Each returns its answer or a
 * promise of it; throwing or rejecting with a {@link FileViewError} answers
 * its errno, anything else EIO. `open` returns a handle number greater than 0.
 */
export interface FuseHandlers {
  getattr(path: string): MaybePromise<FuseStat>;
  /** Attributes through an open handle (FUSE asks so for `lseek(SEEK_END)`; `fstat` arrives as getattr). */
  fgetattr(path: string, handle: number): MaybePromise<FuseStat>;
  readdir(path: string): MaybePromise<string[]>;
  open(path: string, flags: number): MaybePromise<number>;
  /** Create and open a file that does not exist; returns its handle. */
  create(path: string, mode: number): MaybePromise<number>;
  mknod(path: string, mode: number): MaybePromise<void>;
  read(path: string, handle: number, length: number, position: number): MaybePromise<Buffer>;
  write(path: string, handle: number, data: Buffer, position: number): MaybePromise<number>;
  truncate(path: string, size: number): MaybePromise<void>;
  ftruncate(path: string, handle: number, size: number): MaybePromise<void>;
  flush(path: string, handle: number): MaybePromise<void>;
  fsync(path: string, handle: number): MaybePromise<void>;
  release(path: string, handle: number): MaybePromise<void>;
  unlink(path: string): MaybePromise<void>;
  rename(from: string, to: string): MaybePromise<void>;
  chmod(path: string, mode: number): MaybePromise<void>;
  /** `uid`/`gid` 0xffffffff: leave unchanged. */
  chown(path: string, uid: number, gid: number): MaybePromise<void>;
  /** Times in ms; 1073 stands for UTIME_NOW/UTIME_OMIT (the binding cannot tell them apart). */
  utimens(path: string, atimeMs: number, mtimeMs: number): MaybePromise<void>;
}

/** Options of {@link mountFuse}. */
export interface FuseMountOptions {
  /** Answer ETIMEDOUT when any operation but `read` takes longer (a backstop; the tree has its own deadline). */
  readonly opTimeoutMs: number;
  /** Let other users see the mount (needs `user_allow_other`); default false. */
  readonly allowOther?: boolean;
  /** libfuse debug output on stderr. */
  readonly debug?: boolean;
}

/** A live mount. */
export interface FuseMount {
  readonly dir: string;
  /** Unmount (lazily, so open watch handles cannot keep it busy). */
  unmount(): Promise<void>;
}

/** Whether FUSE can be used here, and if not, why (one line). */
export type FuseAvailability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

type Callback = (...args: unknown[]) => void;
interface NativeFuse {
  mount(cb: (err: Error | null) => void): void;
  unmount(cb: (err: Error | null) => void): void;
  _fuseOptions(): string;
  _op_getattr(this: { ops: { getattr: (path: string, cb: Callback) => void } }, signal: Callback, path: string): void;
}
type NativeFuseClass = new (mnt: string, ops: Record<string, (...args: never[]) => void>, opts: Record<string, unknown>) => NativeFuse;

let loaded: NativeFuseClass | Error | null = null;

function loadBinding(): NativeFuseClass | Error {
  if (loaded) return loaded;
  try {
    const require = createRequire(import.meta.url);
    loaded = require('fuse-native') as NativeFuseClass;
  } catch (e) {
    loaded = e instanceof Error ? e : new Error(String(e));
  }
  return loaded;
}

/** Check the platform, /dev/fuse and the libfuse2 binding without mounting anything. */
export function fuseAvailability(): FuseAvailability {
  if (process.platform !== 'linux') return { ok: false, reason: `FUSE file view is only supported on Linux (this is ${process.platform})` };
  if (!existsSync('/dev/fuse')) return { ok: false, reason: 'no /dev/fuse (load the fuse kernel module or pass --device /dev/fuse to the container)' };
  const binding = loadBinding();
  if (binding instanceof Error) {
    const first = binding.message.split('\n')[0] ?? '';
    const hint = /libfuse\.so/.test(first) ? 'libfuse2 is not installed (apt-get install libfuse2)' : `fuse-native cannot be loaded: ${first}`;
    return { ok: false, reason: hint };
  }
  return { ok: true };
}

function errnoOf(e: unknown): number {
  return e instanceof FileViewError ? -ERRNO_NUMBERS[e.errno] : -ERRNO_NUMBERS.EIO;
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function statOf(s: FuseStat): Record<string, unknown> {
  return {
    mode: (s.type === 'dir' ? S_IFDIR : S_IFREG) | s.mode,
    size: s.size,
    nlink: s.type === 'dir' ? 2 : 1,
    uid: s.uid ?? process.getuid?.() ?? 0,
    gid: s.gid ?? process.getgid?.() ?? 0,
    mtime: s.mtimeMs,
    atime: s.atimeMs ?? s.mtimeMs,
    ctime: s.ctimeMs ?? s.mtimeMs,
    blksize: 4096,
    blocks: Math.ceil(s.size / 512),
  };
}

/**
 * Mount `handlers` at `dir` (an existing, empty directory that is not a mount
 * point). Options always set: `direct_io` (reads reach us whatever the size,
 * so changing values are never cut short), no attribute caching (sizes are
 * the real current size), no negative caching (new names appear at once),
 * names cached for 1 s (a name that went away answers ENOENT on its next
 * getattr/open all the same), `auto_unmount` (fusermount removes the
 * mount when this process dies, even by SIGKILL), and, unless `allowOther`,
 * access for this user only.
 */
export function mountFuse(dir: string, handlers: FuseHandlers, options: FuseMountOptions): Promise<FuseMount> {
  const avail = fuseAvailability();
  if (!avail.ok) return Promise.reject(new FileViewError('ENOTSUP', avail.reason));
  const Fuse = loadBinding() as NativeFuseClass;

  class EnsembleFuse extends (Fuse as unknown as new (...a: ConstructorParameters<NativeFuseClass>) => NativeFuse) {
    override _fuseOptions(): string {
      const base = super._fuseOptions();
      const extra = 'direct_io,attr_timeout=0,entry_timeout=1,negative_timeout=0,fsname=ensemble,subtype=ensemble';
      return base ? `${base},${extra}` : `-o${extra}`;
    }

    // fuse-native answers fgetattr with getattr(path), dropping the handle; the view answers per handle.
    _op_fgetattr(signal: Callback, path: string, fd: number): void {
      const byHandle = ops.fgetattr as unknown as (p: string, fd: number, cb: Callback) => void;
      (Fuse.prototype as NativeFuse)._op_getattr.call({ ops: { getattr: (p: string, cb: Callback) => byHandle(p, fd, cb) } }, signal, path);
    }
  }

  // Answer synchronous results at once; promises when they settle. A handler
  // that throws answers its errno like one that rejects.
  const answer = <T>(run: () => MaybePromise<T>, cb: Callback, ok: (v: T) => unknown[]): void => {
    let work: MaybePromise<T>;
    try {
      work = run();
    } catch (e) {
      cb(errnoOf(e));
      return;
    }
    if (work instanceof Promise) {
      work.then(
        (v) => cb(...ok(v)),
        (e: unknown) => cb(errnoOf(e)),
      );
    } else cb(...ok(work));
  };
  const refuse = (...args: unknown[]): void => (args[args.length - 1] as Callback)(-ERRNO_NUMBERS.EACCES);
  const fail = (errno: number) => (...args: unknown[]): void => (args[args.length - 1] as Callback)(-errno);
  const ok0 = (): unknown[] => [0];

  const ops: Record<string, (...args: never[]) => void> = {
    getattr: (path: string, cb: Callback) => answer(() => handlers.getattr(path), cb, (s) => [0, statOf(s)]),
    fgetattr: (path: string, fd: number, cb: Callback) => answer(() => handlers.fgetattr(path, fd), cb, (s) => [0, statOf(s)]),
    readdir: (path: string, cb: Callback) => answer(() => handlers.readdir(path), cb, (names) => [0, names]),
    open: (path: string, flags: number, cb: Callback) => answer(() => handlers.open(path, flags), cb, (fh) => [0, fh]),
    create: (path: string, mode: number, cb: Callback) => answer(() => handlers.create(path, mode), cb, (fh) => [0, fh]),
    mknod: (path: string, mode: number, _dev: number, cb: Callback) => answer(() => handlers.mknod(path, mode), cb, ok0),
    read: (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Callback) =>
      answer(() => handlers.read(path, fd, len, pos), cb, (data) => [data.copy(buf, 0, 0, Math.min(len, data.length))]),
    write: (path: string, fd: number, buf: Buffer, len: number, pos: number, cb: Callback) =>
      // The buffer belongs to libfuse and is only valid during this call: copy it.
      answer(() => handlers.write(path, fd, Buffer.from(buf.subarray(0, len)), pos), cb, (n) => [n]),
    truncate: (path: string, size: number, cb: Callback) => answer(() => handlers.truncate(path, size), cb, ok0),
    ftruncate: (path: string, fd: number, size: number, cb: Callback) => answer(() => handlers.ftruncate(path, fd, size), cb, ok0),
    flush: (path: string, fd: number, cb: Callback) => answer(() => handlers.flush(path, fd), cb, ok0),
    fsync: (path: string, _datasync: number, fd: number, cb: Callback) => answer(() => handlers.fsync(path, fd), cb, ok0),
    release: (path: string, fd: number, cb: Callback) => answer(() => handlers.release(path, fd), cb, ok0),
    unlink: (path: string, cb: Callback) => answer(() => handlers.unlink(path), cb, ok0),
    rename: (from: string, to: string, cb: Callback) => answer(() => handlers.rename(from, to), cb, ok0),
    chmod: (path: string, mode: number, cb: Callback) => answer(() => handlers.chmod(path, mode), cb, ok0),
    chown: (path: string, uid: number, gid: number, cb: Callback) => answer(() => handlers.chown(path, uid, gid), cb, ok0),
    utimens: (path: string, atime: number, mtime: number, cb: Callback) => answer(() => handlers.utimens(path, atime, mtime), cb, ok0),
    // No extended attributes: reads find none (ENODATA), an empty list, writes are not supported.
    getxattr: (_path: string, _name: string, _position: number, cb: Callback) => cb(0, null),
    listxattr: (_path: string, cb: Callback) => cb(0, []),
    setxattr: fail(ERRNO_NUMBERS.ENOTSUP),
    removexattr: fail(ERRNO_NUMBERS.ENODATA),
    mkdir: refuse,
    rmdir: refuse,
    link: refuse,
    symlink: refuse,
  };

  const fuse = new EnsembleFuse(dir, ops, {
    autoUnmount: true,
    allowOther: options.allowOther ?? false,
    debug: options.debug ?? false,
    // Watch reads wait for the next change: no binding timeout for `read`.
    // `flush` and `release` mostly answer at once and otherwise apply a
    // written line under the tree's own deadline: no binding timer for them
    // either (one timer less per operation on the hot path).
    timeout: { default: options.opTimeoutMs, read: false, flush: false, release: false },
  });

  return new Promise<FuseMount>((resolve, reject) => {
    fuse.mount((err) => {
      if (err) {
        reject(new FileViewError('EIO', `cannot mount the file view at ${dir}: ${err.message}`, { code: 'ENS_E_UNSUPPORTED', cause: err }));
        return;
      }
      let unmounting: Promise<void> | null = null;
      resolve({
        dir,
        unmount: () =>
          (unmounting ??= new Promise<void>((res, rej) => {
            fuse.unmount((e) => (e ? rej(e) : res()));
          })),
      });
    });
  });
}

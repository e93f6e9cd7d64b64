import { resolveSupervisorTarget } from '../api/client-address.js';
import { InvalidArgumentError } from '../common/errors.js';
import { FileViewError } from '../fs/errno.js';
import { FileTree } from '../fs/file-tree.js';
import { RemoteTreeBackend } from '../fs/remote-backend.js';
import { parseTreePath } from '../fs/tree-path.js';

/** What `supervisor fs` does. */
export type FsOperation = 'ls' | 'cat' | 'write';

/** Options of {@link fsVerb}. */
export interface FsVerbOptions {
  /** `--supervisor ADDR`. */
  readonly supervisor?: string;
  /** Where output goes (src/cli/ passes stdout). */
  readonly out: (text: string) => void;
  /** Read VALUE from here when it is omitted (default: stdin). */
  readonly stdin?: () => Promise<string>;
}

/**
 * `supervisor fs ls|cat|write PATH [VALUE]`: the file view's tree without
 * FUSE, through the supervisor's API, built by the same {@link FileTree} as
 * the mount (same names, contents and errors). `cat X.watch` follows the
 * value like `tail -f` until interrupted; `write` without VALUE reads stdin.
 * Errors print as one line ending with the errno a mount would answer, e.g.
 * `supervisor: status/nope/state: unknown unit "nope" (ENOENT)`, exit 1;
 * an unreachable supervisor exits 2.
 */
export async function fsVerb(op: string, path: string, value: string | undefined, options: FsVerbOptions): Promise<number> {
  if (op !== 'ls' && op !== 'cat' && op !== 'write') throw new InvalidArgumentError(`fs: unknown operation "${op}" (use ls, cat or write)`);
  const { out } = options;
  const target = resolveSupervisorTarget(options.supervisor);
  // Unit actions wait for the unit to be up again, like `supervisor restart`.
  const backend = new RemoteTreeBackend(target.address);
  const tree = new FileTree(backend, { timeoutMs: 130_000 });
  try {
    const segs = parseTreePath(path);
    await backend.supervisorStatus(); // exit 2 when the supervisor cannot be reached, whatever the path
    if (op === 'ls') {
      const node = await tree.resolve(segs);
      out(node.kind === 'dir' ? (await tree.list(segs)).map((n) => `${n}\n`).join('') : `${segs[segs.length - 1] ?? '/'}\n`);
    } else if (op === 'cat') {
      const node = await tree.resolve(segs);
      if (node.kind === 'watch') await follow(tree, node.target, segs, out);
      else out(await tree.read(segs));
    } else {
      const data = value ?? (await (options.stdin ?? readStdin)());
      await tree.write(segs, value === undefined ? data : `${data}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof FileViewError) throw new FileViewError(e.errno, `${e.message} (${e.errno})`, { code: e.code, cause: e });
    throw e;
  } finally {
    tree.close();
  }
}

async function follow(tree: FileTree, node: Parameters<FileTree['watchNode']>[0], segs: readonly string[], out: (t: string) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let first = true;
    const stop = tree.watchNode(
      node,
      segs,
      (content) => {
        if (first) first = false;
        else out(content);
      },
      (e) => {
        cleanup();
        reject(e);
      },
    );
    const done = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      stop();
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

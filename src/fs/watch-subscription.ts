import { toFileViewError } from './errno.js';
import type { FileTree } from './file-tree.js';
import type { FileNode } from './tree-node.js';
import { formatTreePath, type TreePath } from './tree-path.js';
import type { WatchStream } from './watch-stream.js';

/**
 * Feed `stream` with the contents of `node` until the returned function is
 * called: the current content first (it primes the stream), then every
 * change. A broken subscription (unit restarting) is retried every second;
 * a reader waiting at the end of the stream for `keepAliveMs` gets the
 * current value again, or EIO when the unit does not answer.
 */
export function subscribeWatch(tree: FileTree, node: FileNode, segs: TreePath, stream: WatchStream, keepAliveMs: number): () => void {
  let stopWatch: (() => void) | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  const subscribe = (): void => {
    let first = true;
    stopWatch = tree.watchNode(
      node,
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
    tree.readNode(node, segs).then(
      (content) => stream.keepAlive(content),
      (e: unknown) => stream.fail(toFileViewError(formatTreePath(segs), e)),
    );
  }, keepAliveMs);
  keepAlive.unref();
  return () => {
    closed = true;
    clearInterval(keepAlive);
    if (retry) clearTimeout(retry);
    stopWatch?.();
  };
}

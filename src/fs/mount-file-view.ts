import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FileViewError } from './errno.js';
import type { FileTree } from './file-tree.js';
import { mountFuse } from './fuse-adapter.js';
import { FuseOps } from './fuse-ops.js';
import { cleanupStaleMount, fuseMountState } from './stale-mount.js';

/** Options of {@link mountFileView}. */
export interface MountFileViewOptions {
  /** See FuseOps: how long a blocked watch read waits before repeating the current value. */
  readonly watchKeepAliveMs?: number;
  /** Backstop timeout of one FUSE operation other than read (default 15000). */
  readonly opTimeoutMs?: number;
  /** Called for every error answered to a caller. */
  readonly onError?: (e: FileViewError, op: string) => void;
}

/** A mounted file view. */
export interface MountedFileView {
  readonly dir: string;
  /** True when a stale mount of a dead predecessor was removed first. */
  readonly removedStale: boolean;
  /** End open watch streams, then unmount (lazily). Safe to call twice. */
  unmount(): Promise<void>;
}

/**
 * Mount `tree` at `dir`: create the directory, remove a stale mount a dead
 * predecessor left there (a live one is refused), then mount with FUSE.
 * Rejects with a one-line reason when FUSE is unavailable or the mount fails.
 */
export async function mountFileView(tree: FileTree, dir: string, options: MountFileViewOptions = {}): Promise<MountedFileView> {
  const abs = resolve(dir);
  const state = await fuseMountState(abs);
  if (state === 'live') throw new Error(`${abs} is already a live FUSE mount (another supervisor?)`);
  if (state === 'stale') await cleanupStaleMount(abs);
  await mkdir(abs, { recursive: true, mode: 0o700 });
  const ops = new FuseOps(tree, {
    ...(options.watchKeepAliveMs !== undefined ? { watchKeepAliveMs: options.watchKeepAliveMs } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const mount = await mountFuse(abs, ops, { opTimeoutMs: options.opTimeoutMs ?? 15_000 });
  let done: Promise<void> | null = null;
  return {
    dir: abs,
    removedStale: state === 'stale',
    unmount: () =>
      (done ??= (async () => {
        ops.closeAll();
        await mount.unmount();
      })()),
  };
}

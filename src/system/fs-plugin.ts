import type { Logger } from 'pino';
import type { PluginContext, SystemPlugin } from './system-plugin.js';
import type { FileTree, PeerSource } from '../fs/file-tree.js';
import type { ServiceLister } from '../fs/local-backend.js';
import type { MountedFileView } from '../fs/mount-file-view.js';
import type { ResourceClient } from '../fs/tree-backend.js';

/**
 * The network's `peers/` source, given a factory of Resources clients (the
 * view's own pool); null while the supervisor is not networked.
 */
export type PeerSourceProvider = (resourceClient: (unit: string, service: string, address: string) => ResourceClient) => PeerSource | null;

/** Deadline of a call to a unit's Resources service from the file view. */
export const UNIT_CALL_DEADLINE_MS = 3000;
/** Deadline of one tree operation (a backstop over the unit call deadline). */
export const TREE_OP_DEADLINE_MS = 5000;

/**
 * The file view as a plugin of `supervisor run`: mounts the tree of
 * docs/file-view.md at `--mount DIR` (default `paths.mountDir`) unless `--no-fs`.
 * Where FUSE cannot be used (not Linux, no /dev/fuse, no libfuse2, the mount
 * fails) it logs one line saying why and the supervisor runs on; the same
 * tree stays available through `supervisor fs ls|cat|write`.
 *
 * The tree, the FUSE binding and the gRPC client of units' Resources are
 * loaded only when the view is mounted (nothing of it with `--no-fs`).
 *
 * @param registry the service registry (the API plugin's), looked up lazily.
 */
export class FsPlugin implements SystemPlugin {
  readonly name = 'fs';
  private mount: MountedFileView | null = null;
  private tree: FileTree | null = null;

  /** @param peers the network's `peers/` source, looked up lazily (absent: `peers/` stays empty). */
  constructor(
    private readonly registry: () => ServiceLister | null,
    private readonly peers: PeerSourceProvider | null = null,
  ) {}

  async start(ctx: PluginContext): Promise<void> {
    const { logger } = ctx;
    const dir = ctx.spec.fileViewDir;
    if (dir === null) {
      logger.info('file view not mounted (--no-fs); "supervisor fs ls|cat|write PATH" serves it');
      return;
    }
    const [{ FileTree }, { fuseAvailability }, { LocalTreeBackend }, { mountFileView }, { ResourceClientPool }] = await Promise.all([
      import('../fs/file-tree.js'),
      import('../fs/fuse-adapter.js'),
      import('../fs/local-backend.js'),
      import('../fs/mount-file-view.js'),
      import('../fs/resources-client.js'),
    ]);
    const avail = fuseAvailability();
    if (!avail.ok) {
      logger.warn({ mount: dir }, `file view not mounted: ${avail.reason}; "supervisor fs ls|cat|write PATH" serves it`);
      return;
    }
    const lister: ServiceLister = { list: (q) => this.registry()?.list(q) ?? [] };
    const pool = new ResourceClientPool(UNIT_CALL_DEADLINE_MS);
    const backend = new LocalTreeBackend(ctx.control, lister, pool, (what, e) =>
      logger.warn({ action: what }, `file view: ${what} failed: ${e instanceof Error ? e.message : String(e)}`),
    );
    const peersOf = this.peers;
    const peers: PeerSource | undefined = peersOf
      ? {
          names: () => peersOf((unit, service, address) => pool.get(unit, service, address))?.names() ?? [],
          backend: (node) => {
            const source = peersOf((unit, service, address) => pool.get(unit, service, address));
            if (!source) throw new Error(`peers/${node}: this supervisor is not networked`);
            return source.backend(node);
          },
        }
      : undefined;
    const tree = new FileTree(backend, { timeoutMs: TREE_OP_DEADLINE_MS, ...(peers ? { peers } : {}) });
    try {
      this.mount = await mountFileView(tree, dir, { onError: (e, op) => logAnswer(logger, e.errno, op, e.message) });
    } catch (e) {
      tree.close();
      logger.warn({ mount: dir }, `file view not mounted: ${e instanceof Error ? e.message : String(e)}; "supervisor fs ls|cat|write PATH" serves it`);
      return;
    }
    this.tree = tree;
    if (this.mount.removedStale) logger.warn({ mount: dir }, 'removed a stale file view mount left by a supervisor that died');
    logger.info({ mount: dir }, 'file view mounted');
  }

  async stop(): Promise<void> {
    const mount = this.mount;
    this.mount = null;
    try {
      await mount?.unmount();
    } finally {
      this.tree?.close();
      this.tree = null;
    }
  }

  /** Where the view is mounted, or null. */
  get mountDir(): string | null {
    return this.mount?.dir ?? null;
  }
}

/** Errors answered to callers are logged; missing names are routine (shells probe), so they stay at debug. */
function logAnswer(logger: Logger, errno: string, op: string, message: string): void {
  if (errno === 'ENOENT') logger.debug({ errno, op }, `file view: ${message}`);
  else logger.warn({ errno, op }, `file view: ${message}`);
}

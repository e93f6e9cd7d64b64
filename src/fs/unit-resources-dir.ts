import { FileViewError } from './errno.js';
import { LiveValues } from './live-values.js';
import type { ResourceClient, ResourceInfo, TreeBackend } from './tree-backend.js';
import { isValidSegment } from './tree-path.js';
import type { DirNode, FileAccess, FileNode, TreeNode } from './tree-node.js';

/** How long a unit's resource list is reused for lookups (listings always ask again). */
export const RESOURCE_LIST_TTL_MS = 1000;

interface CachedList {
  readonly at: number;
  readonly resources: readonly ResourceInfo[];
}

/**
 * `units/<unit>/`: the unit's resources as files, nested by their slash
 * separated paths (`config/threshold` is the file `threshold` in the
 * directory `config`). A unit without a Resources service is an empty
 * directory; a unit whose service does not answer gives EIO.
 */
export class UnitResourcesDir {
  private cache: CachedList | null = null;
  private readonly live = new LiveValues();
  private readonly nodes = new WeakMap<ResourceInfo, FileNode>();

  constructor(
    private readonly backend: TreeBackend,
    private readonly unit: string,
  ) {}

  /** Close the watch subscriptions that keep values current. */
  close(): void {
    this.live.close();
  }

  /** The directory node of the unit itself. */
  root(): DirNode {
    return this.dirAt([]);
  }

  private async client(): Promise<ResourceClient | null> {
    return this.backend.resources(this.unit);
  }

  private async list(fresh: boolean): Promise<readonly ResourceInfo[]> {
    const now = Date.now();
    if (!fresh && this.cache && now - this.cache.at < RESOURCE_LIST_TTL_MS) return this.cache.resources;
    const client = await this.client();
    const resources = client ? (await client.list()).filter((r) => r.path.split('/').every(isValidSegment)) : [];
    this.cache = { at: Date.now(), resources };
    return resources;
  }

  private dirAt(prefix: readonly string[]): DirNode {
    return {
      kind: 'dir',
      entries: async () => {
        const names = new Set<string>();
        for (const r of await this.list(true)) {
          const segs = r.path.split('/');
          if (segs.length > prefix.length && prefix.every((p, i) => segs[i] === p)) names.add(segs[prefix.length] as string);
        }
        return [...names].sort();
      },
      child: async (name) => this.nodeAt([...prefix, name]),
    };
  }

  private async nodeAt(segs: readonly string[]): Promise<TreeNode | null> {
    const resources = await this.list(false);
    const path = segs.join('/');
    const exact = resources.find((r) => r.path === path);
    if (exact) return this.file(exact);
    if (resources.some((r) => r.path.startsWith(`${path}/`))) return this.dirAt(segs);
    return null;
  }

  /** The node of a listed resource; the same object while the same listing is in use (no allocation per lookup). */
  private file(r: ResourceInfo): FileNode {
    let node = this.nodes.get(r);
    if (!node) {
      node = this.makeFile(r);
      this.nodes.set(r, node);
    }
    return node;
  }

  private makeFile(r: ResourceInfo): FileNode {
    const access: FileAccess = r.readable ? (r.writable ? 'read-write' : 'read-only') : 'write-only';
    const where = `units/${this.unit}/${r.path}`;
    const need = async (): Promise<ResourceClient> => {
      const c = await this.client();
      if (!c) throw new FileViewError('EIO', `${where}: unit "${this.unit}" no longer serves resources`);
      return c;
    };
    const node: FileNode = {
      kind: 'file',
      access,
      read: async () => {
        const client = await need();
        const pushed = r.watchable ? this.live.get(r.path, client) : null;
        return `${pushed ?? (await client.read(r.path))}\n`;
      },
      ...(r.watchable ? { changedAt: () => this.live.changedAt(r.path) } : {}),
      ...(r.writable
        ? {
            write: async (line: string) => {
              this.live.invalidate(r.path);
              try {
                await (await need()).write(r.path, line);
              } finally {
                this.live.invalidate(r.path);
              }
            },
          }
        : {}),
      ...(r.readable && r.watchable
        ? {
            watch: (onContent: (c: string) => void, onError: (e: unknown) => void) => {
              let stop: (() => void) | null = null;
              let closed = false;
              need().then(
                (c) => {
                  if (!closed) stop = c.watch(r.path, (v) => onContent(`${v}\n`), onError);
                },
                (e: unknown) => {
                  if (!closed) onError(e);
                },
              );
              return () => {
                closed = true;
                stop?.();
              };
            },
          }
        : {}),
    };
    return node;
  }
}

import type { ResourceClient, ResourceInfo } from './tree-backend.js';

/** The family (proto service) a unit's Resources service registers under. */
export const RESOURCES_FAMILY = 'ensemble.resources.v1.Resources';

/** A service record as far as finding Resources services goes. */
export interface ServiceLike {
  readonly name: string;
  readonly address: string;
  readonly unit: string;
  readonly family: string;
}

/** One Resources service of a unit and where its paths appear under `units/<unit>/`. */
export interface ResourceMount {
  /** '' for the unit's own service, else the child's name (hosts). */
  readonly prefix: string;
  readonly name: string;
  readonly address: string;
}

/**
 * The Resources services `unit` registered: `<unit>.resources` (or an
 * unnamed one of the family) shows at the unit's root; a host's
 * `<child>.resources` shows under `<child>/`, so hosts expose their
 * children's resources under the child's path.
 */
export function resourceMounts(services: readonly ServiceLike[], unit: string): ResourceMount[] {
  const mounts: ResourceMount[] = [];
  for (const s of services) {
    if (s.unit !== unit) continue;
    if (s.name === `${unit}.resources`) mounts.push({ prefix: '', name: s.name, address: s.address });
    else if (s.name.endsWith('.resources')) mounts.push({ prefix: s.name.slice(0, -'.resources'.length), name: s.name, address: s.address });
    else if (s.family === RESOURCES_FAMILY) mounts.push({ prefix: '', name: s.name, address: s.address });
  }
  const root = mounts.filter((m) => m.prefix === '').slice(0, 1);
  return [...root, ...mounts.filter((m) => m.prefix !== '')];
}

/**
 * Several Resources services seen as one: paths of a mount with a prefix
 * appear as `<prefix>/<path>`; calls go to the mount whose prefix matches.
 */
export class CompositeResourceClient implements ResourceClient {
  constructor(private readonly parts: readonly { readonly prefix: string; readonly client: ResourceClient }[]) {}

  async list(): Promise<ResourceInfo[]> {
    const lists = await Promise.all(this.parts.map(async (p) => (await p.client.list()).map((r) => (p.prefix ? { ...r, path: `${p.prefix}/${r.path}` } : r))));
    return lists.flat().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  read(path: string): Promise<string> {
    const [client, inner] = this.route(path);
    return client.read(inner);
  }

  write(path: string, value: string): Promise<void> {
    const [client, inner] = this.route(path);
    return client.write(inner, value);
  }

  watch(path: string, onValue: (value: string) => void, onError: (e: unknown) => void): () => void {
    const [client, inner] = this.route(path);
    return client.watch(inner, onValue, onError);
  }

  private route(path: string): [ResourceClient, string] {
    for (const p of this.parts) {
      if (p.prefix && path.startsWith(`${p.prefix}/`)) return [p.client, path.slice(p.prefix.length + 1)];
    }
    const root = this.parts.find((p) => p.prefix === '') ?? this.parts[0];
    if (!root) throw new Error('no Resources service');
    return [root.client, path];
  }
}

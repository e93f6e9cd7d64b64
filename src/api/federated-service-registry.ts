import { matchesQuery, type RegistryChange, type ServiceRecord, type ServiceRegistration, type ServiceRegistry } from './service-registry.js';

/**
 * Services registered on other nodes, as some federation mechanism keeps
 * them (the peer exchange of src/network today; a registry kept in etcd or
 * Consul could implement the same two methods). Only services of nodes that
 * are currently reachable are returned.
 */
export interface RemoteServiceSource {
  /** Every service of every reachable peer. */
  services(): readonly ServiceRecord[];
  /** Every change of peers' services from now on (a peer leaving removes all of its services); returns an unsubscribe function. */
  watch(listener: (change: RegistryChange) => void): () => void;
}

/**
 * Discovery across a network behind the {@link ServiceRegistry} interface:
 * registrations stay local (a unit registers with its own supervisor); reads
 * see local and remote services together.
 *
 * - Find: exact name, then alias, then family; within a step, a ready unit's
 *   service first, then this node's before another node's, then the newest.
 * - FindAll / List: every node's services, each with its `node`; List sorted
 *   by name, this node first for equal names, then by node.
 * - Watch: local changes and peers' changes.
 */
export class FederatedServiceRegistry implements ServiceRegistry {
  constructor(
    private readonly local: ServiceRegistry,
    private readonly remote: RemoteServiceSource,
    private readonly node: string,
  ) {}

  register(unit: string, services: readonly ServiceRegistration[]): ServiceRecord[] {
    return this.local.register(unit, services);
  }

  unregister(unit: string, names?: readonly string[]): ServiceRecord[] {
    return this.local.unregister(unit, names);
  }

  find(name: string): ServiceRecord | null {
    const all = this.all();
    for (const match of [(r: ServiceRecord) => r.name === name, (r: ServiceRecord) => r.aliases.includes(name), (r: ServiceRecord) => r.family === name]) {
      const found = all.filter(match).sort((a, b) => this.preferred(a, b));
      if (found[0]) return found[0];
    }
    return null;
  }

  findAll(family: string): ServiceRecord[] {
    return this.all()
      .filter((r) => r.family === family)
      .sort((a, b) => this.preferred(a, b));
  }

  list(query: string): ServiceRecord[] {
    return this.all()
      .filter((r) => matchesQuery(r, query))
      .sort((a, b) => compare(a.name, b.name) || this.localFirst(a, b) || compare(a.node, b.node));
  }

  watch(listener: (change: RegistryChange) => void): () => void {
    const offLocal = this.local.watch(listener);
    const offRemote = this.remote.watch((change) => {
      try {
        listener(change);
      } catch {
        // a failing watcher must not break the peer exchange
      }
    });
    return () => {
      offLocal();
      offRemote();
    };
  }

  addressOf(unit: string): string | null {
    return this.local.addressOf(unit);
  }

  private all(): ServiceRecord[] {
    return [...this.local.list(''), ...this.remote.services()];
  }

  private localFirst(a: ServiceRecord, b: ServiceRecord): number {
    const al = a.node === this.node;
    return al === (b.node === this.node) ? 0 : al ? -1 : 1;
  }

  /** Ready first, then this node's, then the newest registration. */
  private preferred(a: ServiceRecord, b: ServiceRecord): number {
    if (a.ready !== b.ready) return a.ready ? -1 : 1;
    return this.localFirst(a, b) || b.registeredAtMs - a.registeredAtMs;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

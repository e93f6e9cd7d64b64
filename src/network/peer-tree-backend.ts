import type { ResourceClient, ServiceEntry, SupervisorAction, TreeBackend, UnitAction } from '../fs/tree-backend.js';
import { PermissionError, UnitNotFoundError } from '../common/errors.js';
import type { SupervisorState, SupervisorStatus, UnitStatus } from '../supervisor/lifecycle/unit-state.js';
import type { Federation } from './federation.js';
import { NodeNotFoundError } from './network-errors.js';
import { unitFromMessage } from '../api/supervisor-messages.js';

/** Makes a client for a unit's Resources service at `address` (the file view's pool). */
export type ResourceClientFactory = (unit: string, service: string, address: string) => ResourceClient;

/** Deadline of the live unit listing and of resource calls to a peer. */
const PEER_CALL_DEADLINE_MS = 3000;
/** Unit actions on a peer wait until done, like `supervisor restart NODE/UNIT`. */
const PEER_ACTION_DEADLINE_MS = 120_000;
/** Live unit listings are reused this long (a shell loop over status files is one call). */
const UNITS_CACHE_MS = 500;

/**
 * The file view's data for `peers/<node>/…`: the same tree as the local one,
 * served from what the network knows about `node`. Units are listed live over
 * `Peer.ListUnits` (briefly cached); watches follow the unit statuses the node
 * pushes; services are the node's own registrations; unit actions go over
 * `Peer.ControlUnit`; resources are read directly from the unit's Resources
 * service when this node can reach its address (else the unit's resource
 * directory is empty). Supervisor actions (reload, shutdown) of another node
 * are refused (EACCES): the network does not offer them.
 *
 * Errors: `UnreachableError` while the node is unreachable (EIO),
 * `NodeNotFoundError` for a node the network does not know.
 */
export class PeerTreeBackend implements TreeBackend {
  private cache: { at: number; units: Promise<UnitStatus[]> } | null = null;
  private readonly unsubscribes = new Set<() => void>();

  constructor(
    private readonly federation: Federation,
    readonly node: string,
    private readonly resourceClient: ResourceClientFactory | null = null,
  ) {}

  async supervisorStatus(): Promise<SupervisorStatus> {
    this.federation.clientOf(this.node); // throws while unreachable
    const s = this.federation.member(this.node).status;
    if (!s) return { state: 'running', pid: 0, version: '', node: this.node, file: '', startedAt: 0, units: 0, readyUnits: 0 };
    return { state: s.state as SupervisorState, pid: s.pid, version: s.version, node: s.node, file: s.file, startedAt: Number(s.startedAtMs), units: s.units, readyUnits: s.readyUnits };
  }

  listUnits(): Promise<UnitStatus[]> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < UNITS_CACHE_MS) return this.cache.units;
    const units = this.federation
      .clientOf(this.node)
      .listUnits(PEER_CALL_DEADLINE_MS)
      .then((r) => r.units.map(unitFromMessage));
    this.cache = { at: now, units };
    units.catch(() => (this.cache = null));
    return units;
  }

  async getUnit(name: string): Promise<UnitStatus> {
    const found = (await this.listUnits()).find((u) => u.name === name);
    if (!found) throw new UnitNotFoundError(name);
    return found;
  }

  watchUnits(onChange: (status: UnitStatus) => void): () => void {
    const last = new Map<string, string>();
    const seen = (): void => {
      for (const m of this.federation.member(this.node).units) {
        const key = `${m.state}|${m.pid ?? ''}|${m.restarts}|${m.error}`;
        if (last.get(m.name) === key) continue;
        last.set(m.name, key);
        onChange(unitFromMessage(m));
      }
    };
    try {
      for (const m of this.federation.member(this.node).units) last.set(m.name, `${m.state}|${m.pid ?? ''}|${m.restarts}|${m.error}`);
    } catch {
      // unknown node: nothing to watch until it is known
    }
    const off = this.federation.watchPeers((e) => {
      if (e.node !== this.node) return;
      this.cache = null;
      try {
        seen();
      } catch {
        // forgotten meanwhile
      }
    });
    this.unsubscribes.add(off);
    return () => {
      off();
      this.unsubscribes.delete(off);
    };
  }

  async controlUnit(name: string, action: UnitAction): Promise<void> {
    this.cache = null;
    await this.federation.clientOf(this.node).controlUnit(name, action, PEER_ACTION_DEADLINE_MS);
  }

  controlSupervisor(action: SupervisorAction): Promise<void> {
    return Promise.reject(new PermissionError(`peers/${this.node}/supervisor/control: ${action} of another node is not offered over the network; run it on ${this.node}`));
  }

  async listServices(): Promise<ServiceEntry[]> {
    this.federation.clientOf(this.node);
    return this.federation
      .member(this.node)
      .services.map((s) => ({ name: s.name, address: s.address, unit: s.unit }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async resources(unit: string): Promise<ResourceClient | null> {
    if (!this.resourceClient) return null;
    this.federation.clientOf(this.node);
    const m = this.federation.member(this.node);
    const record = m.services.find((s) => s.unit === unit && s.family === 'ensemble.resources.v1.Resources' && m.offers(s));
    return record ? this.resourceClient(unit, `${this.node}/${record.name}`, record.address) : null;
  }

  close(): void {
    for (const off of [...this.unsubscribes]) off();
    this.unsubscribes.clear();
  }
}

/**
 * What the file view needs for `peers/`: the names of the other nodes (every
 * member this node knows, reachable or not) and a backend per node.
 */
export interface PeerTrees {
  names(): string[];
  backend(node: string): PeerTreeBackend;
}

/** {@link PeerTrees} over a running federation (null when not networked: `peers/` stays empty). */
export function peerTrees(federation: Federation | null, resourceClient: ResourceClientFactory | null = null): PeerTrees {
  return {
    names: () => federation?.memberNames() ?? [],
    backend: (node) => {
      if (!federation) throw new NodeNotFoundError(node, []);
      federation.member(node);
      return new PeerTreeBackend(federation, node, resourceClient);
    },
  };
}

import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import type { SupervisorStatus, UnitStatus } from '../supervisor/lifecycle/unit-state.js';
import type { ServiceLike } from './resource-mounts.js';
import type { ResourceClientPool } from './resources-client.js';
import type { ResourceClient, ServiceEntry, SupervisorAction, TreeBackend, UnitAction } from './tree-backend.js';

/** What the file view needs from the service registry (the API's `ServiceRegistry` fits). */
export interface ServiceLister {
  list(query: string): readonly ServiceLike[];
}

/**
 * The tree's data inside the supervisor process: the in-process
 * {@link SupervisorControl} and service registry, and gRPC calls to units'
 * Resources services. Control writes are accepted at once and run in the
 * background (their outcome shows in `state` and `error`, failures are
 * logged), so no FUSE operation ever waits for a unit to stop or start.
 */
export class LocalTreeBackend implements TreeBackend {
  constructor(
    private readonly control: SupervisorControl,
    private readonly registry: ServiceLister,
    private readonly pool: ResourceClientPool,
    private readonly onActionError: (what: string, e: unknown) => void,
  ) {}

  supervisorStatus(): Promise<SupervisorStatus> {
    return Promise.resolve(this.control.status());
  }

  listUnits(): Promise<UnitStatus[]> {
    return Promise.resolve(this.control.listUnits());
  }

  async getUnit(name: string): Promise<UnitStatus> {
    return this.control.getUnit(name);
  }

  watchUnits(onChange: (status: UnitStatus) => void): () => void {
    return this.control.onUnitChange(onChange);
  }

  async controlUnit(name: string, action: UnitAction): Promise<void> {
    this.control.getUnit(name); // unknown unit: ENOENT now, not later
    setImmediate(() => {
      const run = action === 'start' ? this.control.startUnit(name) : action === 'stop' ? this.control.stopUnit(name) : this.control.restartUnit(name);
      run.catch((e: unknown) => this.onActionError(`${action} ${name}`, e));
    });
  }

  async controlSupervisor(action: SupervisorAction): Promise<void> {
    // After the answer: shutdown unmounts this very file system.
    setImmediate(() => {
      const run = action === 'reload' ? this.control.reload() : this.control.shutdown();
      run.catch((e: unknown) => this.onActionError(action, e));
    });
  }

  async listServices(): Promise<ServiceEntry[]> {
    return this.registry
      .list('')
      .map((s) => ({ name: s.name, address: s.address, unit: s.unit }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async resources(unit: string): Promise<ResourceClient | null> {
    return this.pool.forUnit(unit, this.registry.list(''));
  }

  close(): void {
    this.pool.close();
  }
}

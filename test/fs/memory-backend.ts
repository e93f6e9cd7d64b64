import { InvalidArgumentError, PermissionError, UnitNotFoundError } from '../../src/common/errors.js';
import { FileViewError } from '../../src/fs/errno.js';
import type { ResourceClient, ResourceInfo, ServiceEntry, SupervisorAction, TreeBackend, UnitAction } from '../../src/fs/tree-backend.js';
import type { SupervisorStatus, UnitStatus } from '../../src/supervisor/lifecycle/unit-state.js';

/** One resource of an in-memory unit. */
export interface MemoryResource {
  value: string;
  readonly writable?: boolean;
  readonly readable?: boolean;
  readonly watchable?: boolean;
  /** Rejects a written value with a message (INVALID_ARGUMENT). */
  readonly validate?: (v: string) => string | null;
}

/**
 * A TreeBackend held in memory, for tests of the tree model and of the FUSE
 * layer without a supervisor. It follows the TreeBackend contract (unknown
 * units throw UnitNotFoundError, resource errors are FileViewErrors).
 */
export class MemoryBackend implements TreeBackend {
  readonly units = new Map<string, UnitStatus>();
  readonly resourcesOf = new Map<string, Map<string, MemoryResource>>();
  readonly services: ServiceEntry[] = [];
  readonly actions: string[] = [];
  /** Units whose Resources service hangs (never answers). */
  readonly hanging = new Set<string>();
  private readonly unitListeners = new Set<(s: UnitStatus) => void>();
  private readonly valueListeners = new Map<string, Set<(v: string) => void>>();

  addUnit(name: string, resources: Record<string, MemoryResource> = {}, state: UnitStatus['state'] = 'ready'): void {
    this.units.set(name, {
      name,
      state,
      kind: 'node',
      pid: 1000 + this.units.size,
      restarts: 0,
      exitCode: null,
      exitSignal: null,
      error: null,
      since: Date.UTC(2024, 0, 2, 3, 4, 5),
      cpuPercent: 1.25,
      memoryBytes: 2048,
      health: 'unknown',
      limits: 'none',
      stoppedByOperator: false,
    });
    if (Object.keys(resources).length > 0) this.resourcesOf.set(name, new Map(Object.entries(resources)));
  }

  setState(name: string, state: UnitStatus['state']): void {
    const s = this.units.get(name);
    if (!s) throw new UnitNotFoundError(name);
    const next = { ...s, state };
    this.units.set(name, next);
    for (const l of this.unitListeners) l(next);
  }

  setValue(unit: string, path: string, value: string): void {
    const r = this.resourcesOf.get(unit)?.get(path);
    if (!r) throw new Error(`no resource ${unit}/${path}`);
    r.value = value;
    for (const l of this.valueListeners.get(`${unit}/${path}`) ?? []) l(value);
  }

  supervisorStatus(): Promise<SupervisorStatus> {
    return Promise.resolve({ state: 'running', pid: 4242, version: '9.9.9', node: 'test', file: '/x.ensemble', startedAt: 0, units: this.units.size, readyUnits: 0 });
  }

  listUnits(): Promise<UnitStatus[]> {
    return Promise.resolve([...this.units.values()]);
  }

  getUnit(name: string): Promise<UnitStatus> {
    const s = this.units.get(name);
    return s ? Promise.resolve(s) : Promise.reject(new UnitNotFoundError(name));
  }

  watchUnits(onChange: (status: UnitStatus) => void): () => void {
    this.unitListeners.add(onChange);
    return () => this.unitListeners.delete(onChange);
  }

  async controlUnit(name: string, action: UnitAction): Promise<void> {
    await this.getUnit(name);
    this.actions.push(`${action} ${name}`);
    if (action === 'stop') this.setState(name, 'stopped');
    else this.setState(name, 'ready');
  }

  async controlSupervisor(action: SupervisorAction): Promise<void> {
    this.actions.push(action);
  }

  listServices(): Promise<ServiceEntry[]> {
    return Promise.resolve([...this.services]);
  }

  /** One client per unit, like the supervisor's client pool (the view keys its pushed values by client). */
  private readonly clients = new Map<string, ResourceClient>();

  async resources(unit: string): Promise<ResourceClient | null> {
    const map = this.resourcesOf.get(unit);
    if (!map) return null;
    const known = this.clients.get(unit);
    if (known) return known;
    const hang = <T>(work: () => T): Promise<T> => (this.hanging.has(unit) ? new Promise<T>(() => undefined) : Promise.resolve().then(work));
    const get = (path: string): MemoryResource => {
      const r = map.get(path);
      if (!r) throw new FileViewError('ENOENT', `units/${unit}/${path}: no such resource`);
      return r;
    };
    const client: ResourceClient = {
      list: () =>
        hang(() =>
          [...map.entries()].map(
            ([path, r]): ResourceInfo => ({ path, readable: r.readable ?? true, writable: r.writable ?? false, watchable: r.watchable ?? true, description: '' }),
          ),
        ),
      read: (path) => hang(() => get(path).value),
      write: (path, value) =>
        hang(() => {
          const r = get(path);
          if (!r.writable) throw new PermissionError(`units/${unit}/${path} is read-only`);
          const bad = r.validate?.(value);
          if (bad) throw new InvalidArgumentError(bad);
          this.setValue(unit, path, value);
        }),
      watch: (path, onValue) => {
        const key = `${unit}/${path}`;
        const set = this.valueListeners.get(key) ?? new Set();
        this.valueListeners.set(key, set);
        set.add(onValue);
        queueMicrotask(() => onValue(get(path).value));
        return () => set.delete(onValue);
      },
    };
    this.clients.set(unit, client);
    return client;
  }

  close(): void {}
}

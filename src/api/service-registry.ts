/**
 * What a unit says about one of the gRPC services it serves.
 * Names, aliases and family: letters, digits and `_ . - :` (no `/`: a name is
 * also a file name in the file view's `services/` directory).
 */
export interface ServiceRegistration {
  readonly name: string;
  readonly aliases: readonly string[];
  /** Usually the proto service's full name, e.g. `ensemble.store.v1.Store`; may be empty. */
  readonly family: string;
  readonly friendlyName: string;
  /** gRPC target: `127.0.0.1:40123`, `[::1]:40123` or `unix:/abs/path.sock`. */
  readonly address: string;
}

/** A registered service as discovery returns it. */
export interface ServiceRecord extends ServiceRegistration {
  readonly unit: string;
  readonly node: string;
  /** Lifecycle state of the unit (`ready`, `degraded`, ...). */
  readonly unitState: string;
  /** True when the unit's state is `ready`. */
  readonly ready: boolean;
  /** Epoch milliseconds of the (re-)registration. */
  readonly registeredAtMs: number;
}

/** One change of the registry, as Watch streams it. */
export interface RegistryChange {
  readonly type: 'added' | 'updated' | 'removed';
  readonly service: ServiceRecord;
}

/**
 * The service registry behind `ensemble.discovery.v1.Discovery`.
 *
 * This interface is what the gRPC service uses; the local implementation
 * ({@link LocalServiceRegistry}) keeps one supervisor's registrations, and
 * the network layer can wrap it to add peers' services (local ones first).
 *
 * Errors: `InvalidArgumentError` for malformed registrations,
 * `AlreadyExistsError` for a name held by another unit.
 */
export interface ServiceRegistry {
  /** Add or replace (by name) services of `unit`; returns the stored records. */
  register(unit: string, services: readonly ServiceRegistration[]): ServiceRecord[];
  /** Remove the named services of `unit` (all of them when `names` is empty); returns what was removed. */
  unregister(unit: string, names?: readonly string[]): ServiceRecord[];
  /** Exact name, then alias, then family; a ready unit's service first, then the newest. */
  find(name: string): ServiceRecord | null;
  /** Every service of a family, ready units first. */
  findAll(family: string): ServiceRecord[];
  /** Case-insensitive substring over name, aliases, family and friendly name; all for ''. Sorted by name. */
  list(query: string): ServiceRecord[];
  /** Every change from now on; returns an unsubscribe function. */
  watch(listener: (change: RegistryChange) => void): () => void;
  /** The address of any service `unit` registered, or null. */
  addressOf(unit: string): string | null;
}

/** True when `record` matches a List/Watch query (case-insensitive substring). */
export function matchesQuery(record: ServiceRecord, query: string): boolean {
  if (query === '') return true;
  const q = query.toLowerCase();
  return [record.name, record.family, record.friendlyName, ...record.aliases].some((s) => s.toLowerCase().includes(q));
}

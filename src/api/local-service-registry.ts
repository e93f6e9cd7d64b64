import { AlreadyExistsError, InvalidArgumentError, PermissionError, ResourceExhaustedError } from '../common/errors.js';
import type { UnitStatus } from '../supervisor/lifecycle/unit-state.js';
import { RESOURCES_SUFFIX, type NameOwner } from './derived-service-names.js';
import { validateRegistration } from './registration-validation.js';
import { matchesQuery, type RegistryChange, type ServiceRecord, type ServiceRegistration, type ServiceRegistry } from './service-registry.js';
import { notifyAll } from '../common/notify-all.js';

/** Services one unit may hold at once (docs/discovery.md). */
export const MAX_SERVICES_PER_UNIT = 256;
/** Services one Register call may carry. */
export const MAX_SERVICES_PER_CALL = 256;

/** Options of {@link LocalServiceRegistry}. */
export interface LocalRegistryOptions {
  /**
   * The unit that alone may register a name derived from a unit's name
   * (`<unit>`, `<unit>.resources`), or null for any other name
   * (see derivedNameOwner). Default: `<unit>` and `<unit>.resources` of
   * every unit the supervisor knows (`unitStatus` answers), started or not.
   */
  readonly ownerOf?: (service: string) => NameOwner | null;
  /** Default {@link MAX_SERVICES_PER_UNIT}. */
  readonly maxPerUnit?: number;
  /** Default {@link MAX_SERVICES_PER_CALL}. */
  readonly maxPerCall?: number;
}

/** States in which a unit's process runs and its registrations stay valid. */
const RUNNING_STATES: ReadonlySet<string> = new Set(['starting', 'ready', 'degraded']);

interface Entry {
  record: ServiceRecord;
  /** Pid of the unit process that registered it (a new process drops old registrations). */
  pid: number | null;
}

/**
 * The registry of one supervisor. Registrations belong to a unit process:
 * they leave when the unit stops or dies (a state outside starting / ready /
 * degraded, or a new pid) and come back when the unit registers again.
 * Feed it every unit change with {@link unitChanged}.
 */
export class LocalServiceRegistry implements ServiceRegistry {
  private readonly entries = new Map<string, Entry>();
  /** Names held by each unit (the same entries, indexed by unit). */
  private readonly byUnit = new Map<string, Set<string>>();
  private readonly listeners = new Set<(change: RegistryChange) => void>();

  /**
   * @param node the node name this supervisor runs as.
   * @param unitStatus the current status of a unit, or null when unknown.
   */
  constructor(
    private readonly node: string,
    private readonly unitStatus: (unit: string) => UnitStatus | null,
    private readonly options: LocalRegistryOptions = {},
  ) {}

  /**
   * Errors: InvalidArgumentError (malformed), PermissionError (a name derived
   * from another unit's name), AlreadyExistsError (held by another unit),
   * ResourceExhaustedError (more than the per-call or per-unit cap). Nothing
   * is stored unless every registration of the call is accepted.
   */
  register(unit: string, services: readonly ServiceRegistration[]): ServiceRecord[] {
    if (services.length === 0) throw new InvalidArgumentError('Register needs at least one service');
    const perCall = this.options.maxPerCall ?? MAX_SERVICES_PER_CALL;
    if (services.length > perCall) {
      throw new ResourceExhaustedError(`Register of ${services.length} services refused: at most ${perCall} services in one call`);
    }
    const seen = new Set<string>();
    for (const reg of services) {
      validateRegistration(reg);
      if (seen.has(reg.name)) throw new InvalidArgumentError(`service "${reg.name}" appears twice in one Register call`);
      seen.add(reg.name);
      this.checkOwner(unit, reg.name, `service "${reg.name}"`);
      for (const alias of reg.aliases) this.checkOwner(unit, alias, `alias "${alias}" of service "${reg.name}"`);
      const held = this.entries.get(reg.name);
      if (held && held.record.unit !== unit) {
        throw new AlreadyExistsError(`service "${reg.name}" is already registered by unit "${held.record.unit}"`);
      }
    }
    const perUnit = this.options.maxPerUnit ?? MAX_SERVICES_PER_UNIT;
    const mine = this.byUnit.get(unit);
    let total = mine?.size ?? 0;
    for (const name of seen) if (!mine?.has(name)) total++;
    if (total > perUnit) {
      throw new ResourceExhaustedError(`unit "${unit}" cannot register ${seen.size} more service(s): it would hold ${total}, at most ${perUnit} services per unit`);
    }
    const status = this.unitStatus(unit);
    const state = status?.state ?? 'starting';
    const now = Date.now();
    const stored: ServiceRecord[] = [];
    for (const reg of services) {
      const record: ServiceRecord = {
        name: reg.name,
        aliases: [...reg.aliases],
        family: reg.family,
        friendlyName: reg.friendlyName,
        address: reg.address,
        unit,
        node: this.node,
        unitState: state,
        ready: state === 'ready',
        registeredAtMs: now,
      };
      const existed = this.entries.has(reg.name);
      this.entries.set(reg.name, { record, pid: status?.pid ?? null });
      this.index(unit).add(reg.name);
      this.emit({ type: existed ? 'updated' : 'added', service: record });
      stored.push(record);
    }
    return stored;
  }

  unregister(unit: string, names: readonly string[] = []): ServiceRecord[] {
    const removed: ServiceRecord[] = [];
    const wanted = names.length > 0 ? new Set(names) : null;
    for (const name of [...(this.byUnit.get(unit) ?? [])]) {
      if (wanted && !wanted.has(name)) continue;
      const entry = this.entries.get(name);
      if (!entry) continue;
      this.remove(name);
      removed.push(entry.record);
      this.emit({ type: 'removed', service: entry.record });
    }
    return removed;
  }

  find(name: string): ServiceRecord | null {
    const all = [...this.entries.values()].map((e) => e.record);
    for (const match of [(r: ServiceRecord) => r.name === name, (r: ServiceRecord) => r.aliases.includes(name), (r: ServiceRecord) => r.family === name]) {
      const found = all.filter(match).sort(preferred);
      if (found[0]) return found[0];
    }
    return null;
  }

  findAll(family: string): ServiceRecord[] {
    return [...this.entries.values()].map((e) => e.record).filter((r) => r.family === family).sort(preferred);
  }

  list(query: string): ServiceRecord[] {
    return [...this.entries.values()]
      .map((e) => e.record)
      .filter((r) => matchesQuery(r, query))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  watch(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addressOf(unit: string): string | null {
    let best: ServiceRecord | null = null;
    for (const { record } of this.entries.values()) {
      if (record.unit === unit && (best === null || record.registeredAtMs > best.registeredAtMs)) best = record;
    }
    return best?.address ?? null;
  }

  /**
   * A unit changed state: drop its registrations when it stopped or died (or
   * runs as a new process), otherwise update the state they carry.
   */
  unitChanged(status: UnitStatus): void {
    for (const name of [...(this.byUnit.get(status.name) ?? [])]) {
      const entry = this.entries.get(name);
      if (!entry) continue;
      const newProcess = entry.pid !== null && status.pid !== null && status.pid !== entry.pid;
      if (!RUNNING_STATES.has(status.state) || newProcess) {
        this.remove(name);
        this.emit({ type: 'removed', service: entry.record });
        continue;
      }
      if (entry.record.unitState === status.state) continue;
      const record: ServiceRecord = { ...entry.record, unitState: status.state, ready: status.state === 'ready' };
      this.entries.set(name, { record, pid: entry.pid ?? status.pid });
      this.emit({ type: 'updated', service: record });
    }
  }

  /** PermissionError when `name` is derived from another unit's name. */
  private checkOwner(unit: string, name: string, what: string): void {
    const owner = this.options.ownerOf ? this.options.ownerOf(name) : this.knownUnitOwner(name);
    if (!owner || (owner.node === null && owner.unit === unit)) return;
    const where = owner.node !== null ? ` (on node "${owner.node}")` : '';
    throw new PermissionError(`unit "${unit}" cannot register ${what}: the name belongs to unit "${owner.unit}"${where}`);
  }

  private knownUnitOwner(name: string): NameOwner | null {
    const base = name.endsWith(RESOURCES_SUFFIX) ? name.slice(0, -RESOURCES_SUFFIX.length) : name;
    return this.unitStatus(base) ? { unit: base, node: null } : null;
  }

  private index(unit: string): Set<string> {
    let names = this.byUnit.get(unit);
    if (!names) {
      names = new Set();
      this.byUnit.set(unit, names);
    }
    return names;
  }

  private remove(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    const names = this.byUnit.get(entry.record.unit);
    names?.delete(name);
    if (names?.size === 0) this.byUnit.delete(entry.record.unit);
  }

  private emit(change: RegistryChange): void {
    notifyAll(this.listeners, change); // a failing watcher must not break registration for everyone else
  }
}

/** Ready units first, then the newest registration. */
function preferred(a: ServiceRecord, b: ServiceRecord): number {
  if (a.ready !== b.ready) return a.ready ? -1 : 1;
  return b.registeredAtMs - a.registeredAtMs;
}

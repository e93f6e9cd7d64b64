import type { Plan, PropertyValue, UnitSpec } from '../../ensemble/plan.js';
import type { LogLine, SupervisorStatus, UnitStatus } from './unit-state.js';

/**
 * What a reload does to one unit: `start` (added), `stop` (removed),
 * `restart` (changed), `update` (only properties changed and the unit takes
 * them live: same pid), `keep` (unchanged, or changed but stopped by an
 * operator: the new spec applies at its next start).
 */
export type ReloadAction = 'start' | 'stop' | 'restart' | 'update' | 'keep';

/** One unit of a {@link ReloadResult}. */
export interface UnitReload {
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly action: ReloadAction;
  /** For changed units: the fields that differ (`args`, `properties.interval`, `env.LOG_LEVEL`); never values. */
  readonly fields: readonly string[];
}

/** How the `network` block changed. The network is not re-joined live: `restartRequired` is then true. */
export interface NetworkReload {
  /** `added`, `removed`, or the changed fields (`listen`, `peers`, `token`, `tls`, `name`). */
  readonly fields: readonly string[];
  readonly restartRequired: boolean;
}

/** What a reload did (or, for `diff`, would do). */
export interface ReloadResult {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  /** Changed units that are (or would be) restarted. */
  readonly restarted: readonly string[];
  /** Changed units that take their new properties live, keeping their pid. */
  readonly updated: readonly string[];
  /** Every unit: new plan order, then the removed ones. */
  readonly units: readonly UnitReload[];
  /** Null when the network block did not change. */
  readonly network: NetworkReload | null;
  /** False for a dry run (`diff`). */
  readonly applied: boolean;
  /** Absolute path of the ensemble file that was loaded. */
  readonly file: string;
}

/**
 * The operations the running supervisor offers to its API, file view and
 * network layers. The Supervisor class implements it; the gRPC services and
 * the file view only ever talk to this interface.
 *
 * Errors: unknown units throw `UnitNotFoundError` (ENS_E_UNIT_NOT_FOUND);
 * impossible transitions throw `StateError` (ENS_E_STATE).
 */
export interface SupervisorControl {
  /** The plan currently applied. */
  readonly plan: Plan;
  status(): SupervisorStatus;
  listUnits(): UnitStatus[];
  getUnit(name: string): UnitStatus;
  /** Start a stopped/failed/crashloop unit (clears operator stop); resolves when it is ready or failed. */
  startUnit(name: string): Promise<UnitStatus>;
  /** Stop a unit (marks it stopped by the operator); resolves when stopped. */
  stopUnit(name: string): Promise<UnitStatus>;
  /** Stop then start; resolves when ready or failed. */
  restartUnit(name: string): Promise<UnitStatus>;
  /** Add and start a unit that is not in the plan. */
  addUnit(spec: UnitSpec): Promise<UnitStatus>;
  /** Stop and forget a unit. */
  removeUnit(name: string): Promise<void>;
  /** Readiness signal from the unit itself (SDK `ready()`), already authenticated. */
  markReady(name: string): void;
  /** The last `n` captured lines of a unit. */
  tailLogs(name: string, n: number): LogLine[];
  /** Every new line of a unit (or of all units when `name` is null); returns an unsubscribe function. */
  subscribeLogs(name: string | null, listener: (line: LogLine) => void): () => void;
  /** Every unit state change; returns an unsubscribe function. */
  onUnitChange(listener: (status: UnitStatus) => void): () => void;
  /** The unit whose `ENSEMBLE_TOKEN` this is, or null. Constant-time comparison. */
  unitForToken(token: string): string | null;
  /**
   * Tell the supervisor how to find a unit's registered gRPC address (set by
   * the API's discovery registry; used by `grpc` health probes).
   */
  setAddressResolver(resolver: (unit: string) => string | null): void;
  /**
   * Build a new plan from `file` (default: the running file) and apply the
   * difference: start added units, stop removed ones, restart changed ones,
   * leave unchanged ones running (same pid). Reloads run one at a time. A plan
   * with errors changes nothing and throws `PlanRejectedError` (ENS_E_PLAN,
   * every diagnostic as `file:line:col: message`). See docs/reload.md.
   */
  reload(file?: string): Promise<ReloadResult>;
  /** What {@link reload} would do, without doing it (`applied` is false). */
  diff(file?: string): Promise<ReloadResult>;
  /**
   * Live properties: `listener` gets the unit's properties now and after every
   * reload that changes them. While a unit's current process watches, a
   * properties-only change updates it without a restart. Returns an
   * unsubscribe function. The caller has authenticated the unit.
   */
  watchProperties(unit: string, listener: (properties: Readonly<Record<string, PropertyValue>>) => void): () => void;
  /** Stop every unit in reverse dependency order and exit the run. */
  shutdown(): Promise<void>;
}

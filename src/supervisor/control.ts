import type { UnitSpec, Plan } from '../ensemble/plan.js';
import type { LogLine, SupervisorStatus, UnitStatus } from './unit-state.js';

/** What a reload did (or, for `diff`, would do). */
export interface ReloadResult {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
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
  /** Apply a new plan built from `file` (default: the running file). */
  reload(file?: string): Promise<ReloadResult>;
  /** Stop every unit in reverse dependency order and exit the run. */
  shutdown(): Promise<void>;
}

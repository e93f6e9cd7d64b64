import type { SupervisorStatus, UnitStatus } from '../supervisor/lifecycle/unit-state.js';
import type { ResourceInfo } from '../wire/resource-messages.js';

export type { ResourceInfo };

/**
 * One unit's Resources service. Every call rejects with an `EnsembleError`:
 * ENS_E_PATH_NOT_FOUND (no such resource), ENS_E_PERMISSION (not readable /
 * read-only), ENS_E_INVALID_ARGUMENT (value rejected), ENS_E_UNIT_UNREACHABLE
 * (no answer within the deadline).
 */
export interface ResourceClient {
  list(): Promise<ResourceInfo[]>;
  /** The current value, without trailing newline. */
  read(path: string): Promise<string>;
  write(path: string, value: string): Promise<void>;
  /**
   * The current value, then every new value, until the returned function is
   * called. `onError` is called once if the stream ends abnormally.
   */
  watch(path: string, onValue: (value: string) => void, onError: (e: unknown) => void): () => void;
}

/** A registered service as the file view shows it under `services/`. */
export interface ServiceEntry {
  readonly name: string;
  readonly address: string;
  readonly unit: string;
}

/** Operations a `status/<unit>/control` file accepts. */
export type UnitAction = 'start' | 'stop' | 'restart';
/** Operations `supervisor/control` accepts. */
export type SupervisorAction = 'reload' | 'shutdown';

/**
 * Where the file tree gets its data. Two implementations serve the same tree:
 * inside the supervisor (in-process control + registry) and in the CLI
 * fallback (`supervisor fs …`, over the supervisor's gRPC API).
 *
 * Errors are `EnsembleError`s: unknown units throw `UnitNotFoundError`.
 */
export interface TreeBackend {
  supervisorStatus(): Promise<SupervisorStatus>;
  listUnits(): Promise<UnitStatus[]>;
  getUnit(name: string): Promise<UnitStatus>;
  /**
   * Every state change of any unit until the returned function is called
   * (drives `status/<unit>/<file>.watch`).
   */
  watchUnits(onChange: (status: UnitStatus) => void): () => void;
  /**
   * Ask for a unit action. Resolves once the request is accepted (the
   * in-process backend does not wait for the unit to be ready; the CLI backend
   * waits for the API's answer).
   */
  controlUnit(name: string, action: UnitAction): Promise<void>;
  /** Ask for a supervisor action (resolves once accepted; shutdown happens after the answer). */
  controlSupervisor(action: SupervisorAction): Promise<void>;
  /** Every registered service, sorted by name. */
  listServices(): Promise<ServiceEntry[]>;
  /**
   * A client for the unit's Resources service, or null when the unit has not
   * registered one (`<unit>.resources` in discovery).
   */
  resources(unit: string): Promise<ResourceClient | null>;
  /** Release connections and subscriptions. */
  close(): void;
}

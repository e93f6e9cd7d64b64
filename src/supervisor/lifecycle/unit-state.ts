/**
 * The lifecycle of one unit (docs/lifecycle.md "States").
 *
 * ```
 * pending → starting → ready ⇄ degraded → stopping → stopped
 *              │  ▲                         ▲
 *              ▼  │                         │
 *            backoff ──(intensity exceeded)─▶ crashloop
 *   starting ──(cannot spawn)─▶ failed
 * ```
 * - `pending`: waiting for its dependencies to be ready.
 * - `starting`: process spawned, not ready yet.
 * - `ready`: ready and healthy. `degraded`: running, but its health probe fails.
 * - `backoff`: exited, waiting to be restarted. `crashloop`: restarted too often
 *   within the window; kept down until an operator starts it again.
 * - `stopping`/`stopped`: on request (operator, reload, shutdown) or exit with policy `never`.
 * - `failed`: cannot be started at all (missing executable, bad working directory, limit setup error).
 */
export type UnitState =
  | 'pending'
  | 'starting'
  | 'ready'
  | 'degraded'
  | 'backoff'
  | 'crashloop'
  | 'stopping'
  | 'stopped'
  | 'failed';

/** All states, in lifecycle order (for tables, validation and the file view). */
export const UNIT_STATES: readonly UnitState[] = [
  'pending',
  'starting',
  'ready',
  'degraded',
  'backoff',
  'crashloop',
  'stopping',
  'stopped',
  'failed',
];

/** How a unit's resource limits are enforced. */
export type LimitsMechanism = 'cgroup-v2' | 'cgroup-v1' | 'sampling' | 'none';

/** Result of the unit's health probe; `unknown` before the first probe or without one. */
export type HealthResult = 'unknown' | 'passing' | 'failing';

/** A snapshot of one unit, as shown by `ps`, the API and the file view. */
export interface UnitStatus {
  readonly name: string;
  readonly state: UnitState;
  readonly kind: string;
  /** Main process id while a process exists. */
  readonly pid: number | null;
  /** Number of automatic restarts since the supervisor started (or the operator last started it). */
  readonly restarts: number;
  /** Last exit code, or null if the last exit was by signal / no exit yet. */
  readonly exitCode: number | null;
  /** Last terminating signal name (e.g. `SIGKILL`), or null. */
  readonly exitSignal: string | null;
  /** Last error text (spawn failure, ready timeout, probe failure, limit kill), or null. */
  readonly error: string | null;
  /** When the unit entered its current state (epoch milliseconds). */
  readonly since: number;
  /** Smoothed CPU use of the unit's process tree in percent of one core, null when not sampled. */
  readonly cpuPercent: number | null;
  /** Resident memory of the unit's process tree in bytes, null when not sampled. */
  readonly memoryBytes: number | null;
  readonly health: HealthResult;
  readonly limits: LimitsMechanism;
  /** True when an operator stopped the unit; it stays down until started by hand. */
  readonly stoppedByOperator: boolean;
}

/** Overall supervisor state. */
export type SupervisorState = 'starting' | 'running' | 'stopping' | 'stopped';

/** A snapshot of the supervisor itself. */
export interface SupervisorStatus {
  readonly state: SupervisorState;
  readonly pid: number;
  readonly version: string;
  readonly node: string;
  /** Absolute path of the ensemble file. */
  readonly file: string;
  readonly startedAt: number;
  readonly units: number;
  readonly readyUnits: number;
}

export type { LogLine } from '../logs/log-line.js';

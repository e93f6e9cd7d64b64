import { redactSecrets } from '../ensemble/active-secrets.js';
import type { HealthResult, LimitsMechanism, LogLine, SupervisorStatus, UnitState, UnitStatus } from '../supervisor/lifecycle/unit-state.js';

/** `ensemble.supervisor.v1.Unit` as proto-loader gives and takes it (unset optionals absent). */
export interface UnitMessage {
  name: string;
  state: string;
  kind: string;
  pid?: number;
  restarts: number;
  exitCode?: number;
  exitSignal: string;
  error: string;
  sinceMs: number;
  cpuPercent?: number;
  memoryBytes?: number;
  health: string;
  limits: string;
  stoppedByOperator: boolean;
}

/** `ensemble.supervisor.v1.StatusResponse`. */
export interface StatusMessage {
  state: string;
  pid: number;
  version: string;
  node: string;
  file: string;
  startedAtMs: number;
  units: number;
  readyUnits: number;
}

/** `ensemble.supervisor.v1.LogsResponse`. */
export interface LogLineMessage {
  unit: string;
  stream: string;
  line: string;
  timeMs: number;
}

/** A unit status as a proto message; secret values in its error text are masked (docs/language.md "Secrets"). */
export function toUnitMessage(u: UnitStatus): UnitMessage {
  const m: UnitMessage = {
    name: u.name,
    state: u.state,
    kind: u.kind,
    restarts: u.restarts,
    exitSignal: u.exitSignal ?? '',
    error: u.error ? redactSecrets(u.error) : '',
    sinceMs: u.since,
    health: u.health,
    limits: u.limits,
    stoppedByOperator: u.stoppedByOperator,
  };
  if (u.pid !== null) m.pid = u.pid;
  if (u.exitCode !== null) m.exitCode = u.exitCode;
  if (u.cpuPercent !== null) m.cpuPercent = u.cpuPercent;
  if (u.memoryBytes !== null) m.memoryBytes = Math.round(u.memoryBytes);
  return m;
}

/**
 * A unit message back into a UnitStatus (what the file view and ps show):
 * the inverse of {@link toUnitMessage}, tolerant of a peer that leaves
 * fields unset.
 */
export function unitFromMessage(m: UnitMessage): UnitStatus {
  return {
    name: m.name,
    state: m.state as UnitState,
    kind: m.kind,
    pid: m.pid ?? null,
    restarts: m.restarts,
    exitCode: m.exitCode ?? null,
    exitSignal: m.exitSignal || null,
    error: m.error || null,
    since: Number(m.sinceMs),
    cpuPercent: m.cpuPercent ?? null,
    memoryBytes: m.memoryBytes === undefined ? null : Number(m.memoryBytes),
    health: (m.health || 'unknown') as HealthResult,
    limits: (m.limits || 'none') as LimitsMechanism,
    stoppedByOperator: m.stoppedByOperator === true,
  };
}

/** The supervisor status as a proto message. */
export function toStatusMessage(s: SupervisorStatus): StatusMessage {
  return {
    state: s.state,
    pid: s.pid,
    version: s.version,
    node: s.node,
    file: s.file,
    startedAtMs: s.startedAt,
    units: s.units,
    readyUnits: s.readyUnits,
  };
}

/** A log line as a proto message; secret values in the supervisor's own lines are masked (a unit's lines stay as it wrote them). */
export function toLogLineMessage(l: LogLine): LogLineMessage {
  return { unit: l.unit, stream: l.stream, line: l.stream === 'supervisor' ? redactSecrets(l.line) : l.line, timeMs: l.time };
}

import { isIP } from 'node:net';
import { EnsembleError } from '../common/errors.js';
import { currentHostedUnit } from './hosted-unit.js';

/**
 * The environment contract every unit process receives from its supervisor
 * (docs/lifecycle.md "Launching", docs/sdk.md).
 */
export interface UnitEnvironment {
  /** `ENSEMBLE_SUPERVISOR`: the supervisor API address, e.g. `unix:/run/ensemble/x/api.sock`. */
  readonly supervisor: string;
  /** `ENSEMBLE_UNIT`: this unit's name. */
  readonly unit: string;
  /** `ENSEMBLE_TOKEN`: this unit's secret; sent on calls to the supervisor, never printed. */
  readonly token: string;
  /** `ENSEMBLE_PROPERTIES`: the unit's properties (JSON object; `{}` when unset). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** `ENSEMBLE_STATE_DIR`: a writable directory that belongs to this unit, or null. */
  readonly stateDir: string | null;
  /** `NOTIFY_SOCKET` (readiness `notify`), or null. */
  readonly notifySocket: string | null;
  /** `ENSEMBLE_BIND_HOST`: the default host `serve()` binds (instead of 127.0.0.1), or null. */
  readonly bindHost: string | null;
}

/** The process was not started by a supervisor, or its environment is damaged. */
export class UnitEnvironmentError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_INVALID_ARGUMENT', message);
  }
}

/**
 * Read and check the environment contract (default: the hosted unit's
 * environment inside a host, else `process.env`). Throws
 * {@link UnitEnvironmentError} with a readable message.
 */
export function readUnitEnvironment(env: NodeJS.ProcessEnv = currentHostedUnit()?.env ?? process.env): UnitEnvironment {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new UnitEnvironmentError(`${name} is not set: this program expects to be started by an ensemble supervisor`);
    return value;
  };
  const supervisor = need('ENSEMBLE_SUPERVISOR');
  const unit = need('ENSEMBLE_UNIT');
  const token = need('ENSEMBLE_TOKEN');
  let properties: Record<string, unknown> = {};
  const raw = env.ENSEMBLE_PROPERTIES;
  if (raw) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      throw new UnitEnvironmentError(`ENSEMBLE_PROPERTIES is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UnitEnvironmentError('ENSEMBLE_PROPERTIES must be a JSON object');
    }
    properties = parsed as Record<string, unknown>;
  }
  const bindHost = env.ENSEMBLE_BIND_HOST?.trim() || null;
  if (bindHost !== null && isIP(bindHost.replace(/^\[(.*)\]$/, '$1')) === 0 && !/^[A-Za-z0-9_.-]{1,253}$/.test(bindHost)) {
    throw new UnitEnvironmentError(`ENSEMBLE_BIND_HOST "${bindHost}" is not a host: give an address such as 0.0.0.0, 10.0.0.2 or ::1 (no port)`);
  }
  return { supervisor, unit, token, properties, stateDir: env.ENSEMBLE_STATE_DIR || null, notifySocket: env.NOTIFY_SOCKET || null, bindHost };
}

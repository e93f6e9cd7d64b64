import type { UnitSpec } from '../../ensemble/plan.js';
import type { RuntimePaths } from '../../common/runtime-dir.js';

/** Variables a unit must never inherit from the supervisor's own environment. */
const NOT_INHERITED = [
  'NOTIFY_SOCKET',
  'WATCHDOG_USEC',
  'WATCHDOG_PID',
  'LISTEN_FDS',
  'LISTEN_PID',
  'LISTEN_FDNAMES',
  'ENSEMBLE_SUPERVISOR',
  'ENSEMBLE_UNIT',
  'ENSEMBLE_TOKEN',
  'ENSEMBLE_PROPERTIES',
  'ENSEMBLE_STATE_DIR',
  // The supervisor's own network token (docs/network.md).
  'ENSEMBLE_NETWORK_TOKEN',
];

/** Per-start values of the environment contract. */
export interface UnitEnvironmentInput {
  readonly paths: RuntimePaths;
  /** The per-start secret (`ENSEMBLE_TOKEN`). */
  readonly token: string;
  /** Path of the unit's notify socket, when its readiness is `notify`. */
  readonly notifySocket: string | null;
  /** The environment to start from (default: the supervisor's). */
  readonly base?: NodeJS.ProcessEnv;
}

/**
 * The environment of a unit process (docs/lifecycle.md "Launching"): the supervisor's
 * environment minus service-manager variables meant for the supervisor itself,
 * `ENSEMBLE_NETWORK_TOKEN` and the variables that fed a secret
 * (`spec.withheldEnv`), plus the unit's `env` block, plus the contract, which
 * always wins:
 *
 * - `ENSEMBLE_SUPERVISOR`: `unix:<runtimeDir>/api.sock`
 * - `ENSEMBLE_UNIT`, `ENSEMBLE_TOKEN` (random per start), `ENSEMBLE_STATE_DIR`
 * - `ENSEMBLE_PROPERTIES`: JSON of the properties; a host also gets `services`
 * - `NOTIFY_SOCKET` for `readiness: notify`, `WATCHDOG_USEC` when a watchdog is set
 */
export function unitEnvironment(spec: UnitSpec, input: UnitEnvironmentInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(input.base ?? process.env) };
  for (const name of NOT_INHERITED) delete env[name];
  // Variables that fed a secret of the file; the unit's own `env` block may still set them.
  for (const name of spec.withheldEnv ?? []) delete env[name];
  Object.assign(env, spec.env);
  env.ENSEMBLE_SUPERVISOR = input.paths.apiAddress;
  env.ENSEMBLE_UNIT = spec.name;
  env.ENSEMBLE_TOKEN = input.token;
  env.ENSEMBLE_PROPERTIES = JSON.stringify(unitProperties(spec));
  env.ENSEMBLE_STATE_DIR = input.paths.unitStateDir(spec.name);
  if (input.notifySocket) env.NOTIFY_SOCKET = input.notifySocket;
  if (input.notifySocket && spec.watchdogMs !== null) env.WATCHDOG_USEC = String(spec.watchdogMs * 1000);
  return env;
}

/** The value of `ENSEMBLE_PROPERTIES`: the unit's properties, and for a host its children under `services`. */
export function unitProperties(spec: UnitSpec): Record<string, unknown> {
  if (spec.services.length === 0) return { ...spec.properties };
  return {
    ...spec.properties,
    services: spec.services.map((s) => ({
      name: s.name,
      path: s.path,
      resolvedPath: s.resolvedPath,
      args: s.args,
      properties: s.properties,
    })),
  };
}

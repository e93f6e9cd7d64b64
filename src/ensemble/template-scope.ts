import os from 'node:os';
import { environmentName, osArchitecture, processArchitecture, sessionId } from './platform-names.js';

/**
 * The variables every template and condition sees: `platform`, `arch`,
 * `hostname`, `node`, `env.NAME` and `params.key` (`--set key=value`), and
 * Tinkwell's (docs/tinkwell.md): `os_architecture`, `processor_architecture`
 * (.NET's names: `X64`, `Arm64`), `cpu_architecture` (= `arch`),
 * `environment` (`development` | `release`) and `session_id`.
 */
export interface TemplateScope {
  readonly platform: string;
  readonly arch: string;
  readonly hostname: string;
  /** The node the plan is compiled for (`--node`, default the hostname). */
  readonly node: string;
  /** Reads are recorded: {@link envReads} tells which variables the file used. */
  readonly env: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
  /** Tinkwell: the operating system's architecture as .NET names it (`X64`, `Arm64`). */
  readonly os_architecture: string;
  /** Tinkwell: this process's architecture as .NET names it. */
  readonly processor_architecture: string;
  /** Tinkwell's docs: the same as `arch`. */
  readonly cpu_architecture: string;
  /** Tinkwell: `development` when ENSEMBLE_ENVIRONMENT (or TINKWELL_ENVIRONMENT) is `Development`, else `release`. */
  readonly environment: string;
  /** Tinkwell: the id of the process the plan is compiled for. */
  readonly session_id: string;
}

/** Names read through each scope's `env`, and its values unwatched (keyed by the env object, so spreading the scope keeps them). */
const reads = new WeakMap<object, { read: Set<string>; values: Readonly<Record<string, string>> }>();

/** Names liquidjs (and JavaScript) probe on any object: not variable reads. */
const PROBES: ReadonlySet<string> = new Set(['toLiquid', 'liquidMethodMissing', 'valueOf', 'toString', 'toJSON', 'constructor', 'then', 'size', 'first', 'last']);

/**
 * The names of `env` variables a template or condition read so far
 * (`{{ env.X }}`, `if "env.X == …"`). Enumerating `env` (a `for` loop over
 * it) counts as reading every variable.
 */
export function envReads(scope: TemplateScope): ReadonlySet<string> {
  return reads.get(scope.env)?.read ?? new Set();
}

/** The scope's environment without recording reads (for the compiler's own look-ups). */
export function envValues(scope: TemplateScope): Readonly<Record<string, string>> {
  return reads.get(scope.env)?.values ?? scope.env;
}

/** An `env` of a scope (as spread into template variables) without recording reads. */
export function unwatchedEnv(env: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  return reads.get(env)?.values ?? env;
}

/** Build the scope from load options (defaults: this machine, `process.env`). */
export function templateScope(options: { node?: string; env?: NodeJS.ProcessEnv; params?: Record<string, string> }): TemplateScope {
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined) values[k] = v;
  const read = new Set<string>();
  const env = new Proxy(values, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !PROBES.has(key) && Object.prototype.hasOwnProperty.call(target, key)) read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    ownKeys(target) {
      for (const k of Object.keys(target)) read.add(k);
      return Reflect.ownKeys(target);
    },
  });
  reads.set(env, { read, values });
  const hostname = os.hostname();
  const params = { ...(options.params ?? {}) };
  return {
    platform: process.platform,
    arch: process.arch,
    hostname,
    node: options.node ?? hostname,
    env,
    params,
    os_architecture: osArchitecture(process.arch),
    processor_architecture: processArchitecture(process.arch),
    cpu_architecture: process.arch,
    environment: params.environment ?? environmentName(values),
    session_id: sessionId(),
  };
}

/**
 * The Plan: the single, fully resolved and defaulted description of what
 * should run. It is produced by the language pipeline (render → lex → parse →
 * resolve imports/compose/conditions/placement/defaults → validate) and is the
 * only thing downstream code (supervisor, API, file view, network) consumes.
 *
 * Every field is plain data (JSON-serialisable) so a Plan can be printed by
 * `supervisor render --json`, persisted as the last good plan, and diffed on
 * reload. Durations are milliseconds, sizes are bytes.
 */

/** Where a construct was written: the real file (after imports/compose), 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** How a unit is launched. See docs/language.md "Runner path → kind". */
export type UnitKind = 'node' | 'exec' | 'wasm' | 'builtin';

/**
 * When a started unit counts as ready.
 * - `notify`: the unit says so (SDK `ready()` or `READY=1` on `NOTIFY_SOCKET`).
 * - `health`: the first passing health probe.
 * - `started`: as soon as the process exists.
 */
export type ReadinessMode = 'notify' | 'started' | 'health';

/** Restart policy names (docker compose / systemd vocabulary). */
export type RestartPolicyName = 'always' | 'on-failure' | 'never';

/** A property value as written in the file: strings, numbers, booleans, lists and nested blocks. */
export type PropertyValue = string | number | boolean | PropertyValue[] | { [key: string]: PropertyValue };

/** Restart behaviour of a unit. */
export interface RestartSpec {
  readonly policy: RestartPolicyName;
  /** First backoff delay; doubles on every consecutive failure (with jitter). */
  readonly backoffMs: number;
  /** Upper bound of the backoff delay. */
  readonly maxBackoffMs: number;
  /** More than this many restarts within `windowMs` puts the unit in `crashloop`. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** A unit that stayed ready this long has its backoff reset to `backoffMs`. */
  readonly resetAfterMs: number;
}

/**
 * A health probe. `probe` is one of `grpc`, `tcp:PORT`, `http://…`/`https://…`,
 * `exec:COMMAND`; `null` when the unit has no `health` block.
 */
export interface HealthSpec {
  readonly probe: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive failures before the unit is unhealthy and restarted. */
  readonly failures: number;
  /** Failures during this period after start do not count. */
  readonly startPeriodMs: number;
}

/** Resource limits; absent fields mean "no limit". */
export interface LimitsSpec {
  readonly memoryBytes?: number;
  /** Percent of one core (50 = half a core, 200 = two cores). */
  readonly cpuPercent?: number;
  readonly pids?: number;
}

/** How a unit is stopped: `signal` to its process group, SIGKILL after `timeoutMs`. */
export interface StopSpec {
  readonly signal: NodeJS.Signals;
  readonly timeoutMs: number;
}

/**
 * A child of a host runner (`service runner name "path" { … }` inside a runner).
 * It runs inside its host's one process; the host receives the children in
 * `ENSEMBLE_PROPERTIES` under the key `services`.
 */
export interface ServiceRunnerSpec {
  readonly name: string;
  /** The path as written. */
  readonly path: string;
  /** Absolute module/file path, or the text as written for commands (`cat`). */
  readonly resolvedPath: string;
  readonly args: readonly string[];
  readonly properties: Readonly<Record<string, PropertyValue>>;
  readonly source: SourceLocation;
}

/** Per-unit log files: size-based rotation. */
export interface LogSpec {
  /** Rotate the unit's log file when it reaches this size. */
  readonly maxBytes: number;
  /** Number of rotated files kept besides the current one. */
  readonly keep: number;
}

/** One unit of the system, fully resolved. */
export interface UnitSpec {
  /** Unique name; safe as a file name in the file view (`[A-Za-z0-9_.-]`, not `.`/`..`). */
  readonly name: string;
  readonly kind: UnitKind;
  /** The runner path as written in the file. */
  readonly path: string;
  /**
   * What is started: an absolute path for node/wasm modules and native
   * executables found relative to the ensemble file, the bare command name for
   * executables to look up on PATH, the package name (`@ensemble/store`) for builtins.
   */
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment variables for the unit (on top of the supervisor's environment and the contract). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Variables of the supervisor's environment the unit does not inherit
   * because they fed a secret (docs/language.md "Secrets"); its own `env`
   * block may still set them. Absent when none.
   */
  readonly withheldEnv?: readonly string[];
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Units that must be ready before this one starts. */
  readonly dependsOn: readonly string[];
  readonly readiness: ReadinessMode;
  /** A start not ready within this time is a failed start. */
  readonly readyTimeoutMs: number;
  /** When set, the unit must send `WATCHDOG=1` at least this often once ready. */
  readonly watchdogMs: number | null;
  readonly restart: RestartSpec;
  readonly health: HealthSpec | null;
  readonly limits: LimitsSpec;
  readonly stop: StopSpec;
  readonly logs: LogSpec;
  /** Absolute working directory (default: the directory of the file that declared the unit). */
  readonly workingDirectory: string;
  /**
   * Run the unit as this user, a name or a numeric uid (supervisord `user=`,
   * PM2 `--uid`); absent: as the supervisor's user. Needs a supervisor
   * running as root. See docs/units.md "Running as another user".
   */
  readonly user?: string;
  /** The unit's group, a name or a numeric gid; default: the user's primary group. */
  readonly group?: string;
  /** Supplementary groups (names or gids), instead of the user's own from the group database; `[]`: none. */
  readonly groups?: readonly string[];
  /** Placement (`on "node"`); null means every node runs it. */
  readonly node: string | null;
  /** Host children; empty for ordinary units. */
  readonly services: readonly ServiceRunnerSpec[];
  /** Set when the unit came from a `compose KIND …` statement. */
  readonly compose: string | null;
  readonly source: SourceLocation;
}

/** mTLS material for the network. Paths are absolute. */
export interface TlsSpec {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** The `network` block. The token is a secret: never log it, `render` masks it. */
export interface NetworkSpec {
  readonly name: string;
  readonly listen: string | null;
  readonly peers: readonly string[];
  readonly token: string | null;
  readonly tls: TlsSpec | null;
  readonly source: SourceLocation;
}

/** The compiled, validated description of a whole system for one node. */
export interface Plan {
  /** Absolute path of the root ensemble file. */
  readonly file: string;
  /** The node this plan was compiled for (placement already applied). */
  readonly node: string;
  /** Units in a valid start order (dependencies first). */
  readonly units: readonly UnitSpec[];
  /** Units of the file placed on other nodes (kept so `render --node` and the network can show them). */
  readonly elsewhere: readonly { readonly name: string; readonly node: string }[];
  readonly network: NetworkSpec | null;
  /** `--set` values as given. */
  readonly params: Readonly<Record<string, string>>;
  /** Every file read to build the plan (root, imports, compose templates), absolute. */
  readonly files: readonly string[];
}

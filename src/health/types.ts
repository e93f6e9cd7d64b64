import type { HealthSpec, LimitsSpec } from '../ensemble/plan.js';
import type { LimitsMechanism } from '../supervisor/unit-state.js';

/** What a probe needs to know about the unit it checks. */
export interface ProbeTarget {
  readonly unit: string;
  /** Working directory and environment for `exec:` probes. */
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Variables of the supervisor's environment that fed a secret: not inherited by `exec:` probes either (UnitSpec.withheldEnv). */
  readonly withheldEnv?: readonly string[];
  /** The unit's registered gRPC address (for `grpc` probes), null while it has none. */
  address(): string | null;
}

/** Outcome of one probe run. */
export interface ProbeResult {
  readonly ok: boolean;
  /** Why it failed (timeout, connection refused, exit code, HTTP status), for status and logs. */
  readonly detail: string;
}

/** One health check, run on demand. Implementations never throw: failures are results. */
export interface Probe {
  /** Human-readable description, e.g. `tcp:8080`. */
  readonly description: string;
  check(timeoutMs: number): Promise<ProbeResult>;
}

/** Factory for probes from a unit's `health` block. */
export type ProbeFactory = (spec: HealthSpec, target: ProbeTarget) => Probe;

/** CPU and memory of a unit's whole process tree. */
export interface ResourceSample {
  /** Percent of one core, smoothed. */
  readonly cpuPercent: number;
  /** Resident set size of the tree, bytes. */
  readonly memoryBytes: number;
  /** Number of processes in the tree. */
  readonly processes: number;
  /**
   * Number of kernel tasks (threads) in the tree — what cgroup `pids.max` and
   * systemd's TasksMax count. Optional for producers other than ResourceSampler.
   */
  readonly threads?: number;
}

/** Applies and releases a unit's resource limits. */
export interface LimitsEnforcer {
  /**
   * Put `pid` (a freshly spawned unit main process, before it is ready) under
   * the limits. Returns the mechanism in force. Throws an `EnsembleError` with
   * code ENS_E_LIMITS when the limits cannot be applied at all.
   */
  apply(unit: string, pid: number, limits: LimitsSpec): Promise<LimitsMechanism>;
  /** Every pid currently in the unit's group (cgroup) — used to kill a whole tree. */
  pids(unit: string): Promise<number[]>;
  /** Remove what `apply` created (after the unit's processes are gone). */
  release(unit: string): Promise<void>;
  /**
   * How many of the unit's processes the kernel OOM killer killed in its
   * cgroup (0 without cgroups). Lets the supervisor record "memory limit" as
   * the reason of a SIGKILL exit; call it before `release`.
   */
  oomKills?(unit: string): Promise<number>;
}

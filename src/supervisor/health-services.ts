import type { HealthSpec, LimitsSpec } from '../ensemble/plan.js';
import type { UnitCgroup } from './process/unit-cgroup.js';
import type { LimitsMechanism } from './lifecycle/unit-state.js';

// The contract between the supervisor and the health layer. It lives here, with
// its consumer: src/health implements it (and imports it), the supervisor never
// imports src/health (checked by .dependency-cruiser.cjs, supervisor-not-to-health).

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

/** Callbacks of a health monitor (see src/health/health-monitor.ts). */
export interface HealthMonitorHandlers {
  /** Every probe result, with the current count of consecutive failures. */
  onResult(result: ProbeResult, consecutiveFailures: number): void;
  /** The first passing probe after start or after failures. */
  onHealthy(): void;
  /** `failures` consecutive failures (outside the start period). */
  onUnhealthy(): void;
}

/** A running health monitor. */
export interface HealthMonitorHandle {
  start(): void;
  stop(): void;
}

/**
 * The health layer as the supervisor uses it. The composition root
 * (src/system/run-system.ts) passes the real implementations from src/health; the
 * supervisor itself does not import them, which keeps the layering
 * `supervisor ← health`.
 */
export interface HealthServices {
  readonly createProbe: ProbeFactory;
  createMonitor(spec: HealthSpec, probe: Probe, handlers: HealthMonitorHandlers): HealthMonitorHandle;
  /** Samples CPU/memory of a unit's whole process tree. */
  readonly sampler?: {
    sample(rootPid: number): Promise<ResourceSample | null>;
    /** Several trees from one scan, when the sampler can. */
    sampleMany?(rootPids: readonly number[]): Promise<Map<number, ResourceSample | null>>;
  };
  /**
   * `place` (optional) creates a unit's own cgroup with its limits before the
   * spawn (src/health/limits-enforcer.ts); `instanceDirs` names the
   * directories holding them, so the reaper can empty them if the supervisor dies.
   */
  readonly limits?: LimitsEnforcer & {
    cgroupDirs?(unit: string): string[];
    place?(unit: string, limits: LimitsSpec): Promise<UnitCgroup | null>;
    instanceDirs?(): string[];
  };
  /** For the `sampling` fallback: the violated limit as text, or null. */
  sampledLimitViolation?(sample: ResourceSample, limits: LimitsSpec): string | null;
}

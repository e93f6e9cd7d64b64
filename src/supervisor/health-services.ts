import type { HealthSpec, LimitsSpec } from '../ensemble/plan.js';
import type { LimitsEnforcer, Probe, ProbeFactory, ProbeResult, ResourceSample } from '../health/types.js';
import type { UnitCgroup } from './unit-cgroup.js';

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
 * (src/run-system.ts) passes the real implementations from src/health; the
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

import type { LimitsSpec } from '../ensemble/plan.js';
import { formatBytes } from '../common/size.js';
import type { ResourceSample } from '../supervisor/health-services.js';

/**
 * The limit a sampled process tree exceeds, as the reason recorded when the
 * supervisor kills and restarts the unit (`memory 96.5 MiB exceeds limit
 * 64 MiB`, `pids 70 exceeds limit 64`), or null when it is within its limits.
 *
 * Used when limits are enforced by sampling (mechanism `sampling`). `pids`
 * counts kernel tasks (threads) when the sample has them, like cgroup
 * `pids.max`, else processes. CPU cannot be enforced by sampling and is never
 * a violation.
 */
export function sampledLimitViolation(sample: ResourceSample, limits: LimitsSpec): string | null {
  if (limits.memoryBytes !== undefined && sample.memoryBytes > limits.memoryBytes) {
    return `memory ${formatBytes(sample.memoryBytes)} exceeds limit ${formatBytes(limits.memoryBytes)}`;
  }
  const tasks = sample.threads ?? sample.processes;
  if (limits.pids !== undefined && tasks > limits.pids) {
    return `pids ${tasks} exceeds limit ${limits.pids}`;
  }
  return null;
}

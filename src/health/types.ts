/**
 * The health layer's contract with the supervisor (probes, resource samples,
 * limits), defined in src/supervisor/health-services.ts next to its consumer
 * so that the supervisor never imports src/health. Re-exported here for the
 * implementations in this folder.
 */
export type { LimitsEnforcer, Probe, ProbeFactory, ProbeResult, ProbeTarget, ResourceSample } from '../supervisor/health-services.js';

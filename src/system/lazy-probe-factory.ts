import type { HealthSpec } from '../ensemble/plan.js';
import type { Probe, ProbeFactory, ProbeResult, ProbeTarget } from '../supervisor/health-services.js';

/**
 * A probe factory that imports the probes (and with them gRPC) on the first
 * probe made, not when the supervisor starts: a system without `health`
 * blocks never loads them. Probes made before the import finished run once
 * it has (their first check waits for it).
 */
export function lazyProbeFactory(load: () => Promise<ProbeFactory> = async () => (await import('../health/create-probe.js')).createProbe): ProbeFactory {
  let factory: ProbeFactory | null = null;
  let loading: Promise<ProbeFactory> | null = null;
  return (spec, target) => {
    if (factory) return factory(spec, target);
    loading ??= load().then((f) => (factory = f));
    return new DeferredProbe(spec, target, loading);
  };
}

/** A probe whose implementation is still being imported. */
class DeferredProbe implements Probe {
  private real: Probe | null = null;

  constructor(
    private readonly spec: HealthSpec,
    private readonly target: ProbeTarget,
    private readonly factory: Promise<ProbeFactory>,
  ) {}

  /** The real probe's description once it exists (before its first check: the probe as written). */
  get description(): string {
    return this.real?.description ?? this.spec.probe;
  }

  async check(timeoutMs: number): Promise<ProbeResult> {
    this.real ??= (await this.factory)(this.spec, this.target);
    return this.real.check(timeoutMs);
  }
}

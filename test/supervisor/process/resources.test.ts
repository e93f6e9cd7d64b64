import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbe } from '../../../src/health/create-probe.js';
import { HealthMonitor } from '../../../src/health/health-monitor.js';
import { createLimitsEnforcer } from '../../../src/health/limits-enforcer.js';
import { ResourceSampler } from '../../../src/health/resource-sampler.js';
import { sampledLimitViolation } from '../../../src/health/sampled-limits.js';
import { defaultHealthServices } from '../../../src/system/run-system.js';
import type { HealthServices } from '../../../src/supervisor/health-services.js';
import { makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { isAlive } from '../../helpers/processes.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { makeTempHome } from '../../helpers/temp-home.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('resources and limits (real src/health)', () => {
  it('samples cpu and memory of every running unit into its status', async () => {
    const scratch = makeTempHome();
    try {
      t = startTestSupervisor([nodeUnit('api', 'unit-ready.mjs')], { health: defaultHealthServices(scratch.paths, pino({ level: 'silent' })), sampleIntervalMs: 100 });
      const s = await t.waitUnit('api', 'sampled', (u) => u.state === 'ready' && u.memoryBytes !== null);
      expect(s.memoryBytes).toBeGreaterThan(1024 * 1024);
      expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
    } finally {
      scratch.cleanup();
    }
  });

  it('under the sampling fallback, a unit over its memory limit is killed and restarted with the reason', async () => {
    // No cgroup filesystem at this root: the enforcer falls back to sampling.
    const health: HealthServices = {
      createProbe,
      createMonitor: (spec, probe, handlers) => new HealthMonitor(spec, probe, handlers),
      sampler: new ResourceSampler(),
      limits: createLimitsEnforcer({ root: '/nonexistent-cgroup-root', log: () => {} }),
      sampledLimitViolation,
    };
    t = startTestSupervisor([makeUnitSpec({ name: 'hog', command: 'sleep', args: ['1000'], limits: { memoryBytes: 1024 }, restart: { backoffMs: 50, maxRestarts: 100 } })], {
      health,
      sampleIntervalMs: 100,
    });
    const first = await t.waitUnit('hog', 'limits applied', (u) => u.limits === 'sampling' && u.pid !== null);
    const next = await t.waitUnit('hog', 'restarted for its limit', (u) => u.restarts >= 1);
    expect(next.error).toMatch(/^limit exceeded: memory .* exceeds limit /);
    expect(isAlive(first.pid as number)).toBe(false);
  });
});

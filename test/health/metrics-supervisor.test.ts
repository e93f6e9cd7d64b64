import http from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createProbe } from '../../src/health/create-probe.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import { createLimitsEnforcer } from '../../src/health/limits-enforcer.js';
import { MetricsPlugin } from '../../src/system/metrics-plugin.js';
import { compileSystemSpec } from '../../src/system/system-spec.js';
import { ResourceSampler } from '../../src/health/resource-sampler.js';
import { sampledLimitViolation } from '../../src/health/sampled-limits.js';
import type { HealthServices } from '../../src/supervisor/health-services.js';
import { makeUnitSpec } from '../helpers/make-unit-spec.js';
import { startTestSupervisor } from '../helpers/test-supervisor.js';
import type { TestSupervisor } from '../helpers/test-supervisor.js';
import { waitFor } from '../helpers/wait-for.js';

// End to end: a real in-process supervisor running real unit processes with
// the real health services, scraped through the metrics plugin's listener.

let running: TestSupervisor | null = null;
let plugin: MetricsPlugin | null = null;
afterEach(async () => {
  await plugin?.stop();
  plugin = null;
  await running?.close();
  running = null;
});

function scrape(address: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    http
      .get(`http://${address}/metrics`, { agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => {
          const samples = new Map<string, number>();
          for (const line of body.split('\n')) {
            const match = /^([^#\s][^\s{]*)(\{.*\})? (\S+)$/.exec(line);
            if (match) samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
          }
          resolve(samples);
        });
      })
      .on('error', reject);
  });
}

describe('metrics of a running supervisor', () => {
  it('shows unit states, restarts and sampled memory of real units', async () => {
    const health: HealthServices = {
      createProbe,
      createMonitor: (spec, probe, handlers) => new HealthMonitor(spec, probe, handlers),
      sampler: new ResourceSampler(),
      limits: createLimitsEnforcer({ instance: `metrics-test-${process.pid}`, log: () => undefined }),
      sampledLimitViolation,
    };
    running = startTestSupervisor(
      [
        makeUnitSpec({ name: 'sleeper', command: 'sleep', args: ['600'] }),
        makeUnitSpec({ name: 'crasher', command: 'sh', args: ['-c', 'exit 3'], restart: { backoffMs: 100, maxBackoffMs: 200, maxRestarts: 1000 } }),
      ],
      { health },
    );
    plugin = new MetricsPlugin();
    const options = { file: running.home.file, metrics: '127.0.0.1:0' };
    await plugin.start({
      control: running.supervisor,
      plan: running.supervisor.plan,
      paths: running.home.paths,
      logger: pino({ level: 'silent' }),
      options,
      spec: await compileSystemSpec(options, running.supervisor.plan, running.home.paths),
    });
    const address = plugin.address as string;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    await running.waitState('sleeper', 'ready');
    const samples = await waitFor(
      'sampled memory of sleeper and restarts of crasher in the metrics',
      async () => {
        const s = await scrape(address);
        return (s.get('ensemble_unit_memory_bytes{unit="sleeper"}') ?? 0) > 0 && (s.get('ensemble_unit_restarts_total{unit="crasher"}') ?? 0) >= 2 ? s : null;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(samples.get('ensemble_unit_state{unit="sleeper",state="ready"}')).toBe(1);
    expect(samples.get('ensemble_unit_up{unit="sleeper"}')).toBe(1);
    expect(samples.get('ensemble_supervisor_units')).toBe(2);
    await plugin.stop();
    await expect(scrape(address)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

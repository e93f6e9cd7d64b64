import http from 'node:http';
import type net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthSpec } from '../../src/ensemble/plan.js';
import { createProbe } from '../../src/health/create-probe.js';
import { HealthMonitor } from '../../src/health/health-monitor.js';
import type { ProbeResult } from '../../src/supervisor/health-services.js';
import { waitFor } from '../helpers/wait-for.js';

/** A real HTTP server whose answer the test switches between 200 and 500; counts requests per path. */
interface SwitchableServer {
  status: number;
  readonly hits: Map<string, number>;
  url(path: string): string;
}

let server: SwitchableServer;
const stops: (() => void | Promise<void>)[] = [];

beforeEach(async () => {
  const hits = new Map<string, number>();
  const state: SwitchableServer = { status: 200, hits, url: () => '' };
  const httpServer = http.createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    response.writeHead(state.status).end();
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const port = (httpServer.address() as net.AddressInfo).port;
  state.url = (path) => `http://127.0.0.1:${port}${path}`;
  server = state;
  stops.push(() => new Promise<void>((resolve) => {
    httpServer.closeAllConnections();
    httpServer.close(() => resolve());
  }));
});

afterEach(async () => {
  while (stops.length > 0) await stops.pop()?.();
});

interface Recorder {
  events: string[];
  results: { result: ProbeResult; failures: number }[];
}

function monitor(path: string, overrides: Partial<HealthSpec> = {}): { monitor: HealthMonitor; rec: Recorder } {
  const spec: HealthSpec = { probe: server.url(path), intervalMs: 50, timeoutMs: 2000, failures: 3, startPeriodMs: 0, ...overrides };
  const rec: Recorder = { events: [], results: [] };
  const m = new HealthMonitor(spec, createProbe(spec, { unit: 'u', cwd: '/', env: {}, address: () => null }), {
    onResult: (result, failures) => {
      rec.results.push({ result, failures });
      rec.events.push(result.ok ? 'pass' : `fail(${failures})`);
    },
    onHealthy: () => rec.events.push('healthy'),
    onUnhealthy: () => rec.events.push('unhealthy'),
  });
  stops.push(() => m.stop());
  return { monitor: m, rec };
}

describe('HealthMonitor', () => {
  it('is healthy after the first pass and reports it once per transition', async () => {
    const { monitor: m, rec } = monitor('/a');
    expect(m.lastResult).toBeNull();
    m.start();
    await waitFor('three probe results', () => rec.results.length >= 3);
    expect(rec.events.slice(0, 2)).toEqual(['pass', 'healthy']);
    expect(rec.events.filter((e) => e === 'healthy')).toHaveLength(1);
    expect(m.lastResult).toMatchObject({ ok: true });
  });

  it('calls onUnhealthy after exactly `failures` consecutive failures, then counts again', async () => {
    const { monitor: m, rec } = monitor('/b', { failures: 3 });
    m.start();
    await waitFor('the first pass', () => rec.events.includes('healthy'));
    server.status = 500;
    await waitFor('two unhealthy reports', () => rec.events.filter((e) => e === 'unhealthy').length >= 2);
    m.stop();
    const afterHealthy = rec.events.slice(rec.events.indexOf('healthy') + 1).filter((e) => e !== 'pass');
    expect(afterHealthy.slice(0, 8)).toEqual(['fail(1)', 'fail(2)', 'fail(3)', 'unhealthy', 'fail(1)', 'fail(2)', 'fail(3)', 'unhealthy']);
  });

  it('becomes healthy again after a recovery and counts failures from zero', async () => {
    const { monitor: m, rec } = monitor('/c', { failures: 10 });
    server.status = 500;
    m.start();
    await waitFor('two counted failures', () => rec.events.includes('fail(2)'));
    server.status = 200;
    await waitFor('recovery', () => rec.events.includes('healthy'));
    server.status = 500;
    await waitFor('unhealthy', () => rec.events.includes('unhealthy'));
    const healthyAt = rec.events.indexOf('healthy');
    expect(rec.events.slice(0, healthyAt)).not.toContain('unhealthy');
    const after = rec.events.slice(healthyAt + 1).filter((e) => e !== 'pass');
    expect(after.slice(0, 11)).toEqual([...Array.from({ length: 10 }, (_, i) => `fail(${i + 1})`), 'unhealthy']);
  });

  it('does not count failures during start_period and probes faster while starting', async () => {
    // interval 60s: without the faster starting cadence only one probe would run in this test.
    const { monitor: m, rec } = monitor('/d', { intervalMs: 60_000, startPeriodMs: 120_000, failures: 1 });
    server.status = 500;
    m.start();
    await waitFor('three probes while starting', () => rec.results.length >= 3, { timeoutMs: 30_000 });
    expect(rec.events.slice(0, 3)).toEqual(['fail(0)', 'fail(0)', 'fail(0)']);
    expect(m.consecutiveFailures).toBe(0);
    server.status = 200;
    await waitFor('the first pass', () => rec.events.includes('healthy'));
    expect(rec.events).not.toContain('unhealthy');
  });

  it('counts failures during start_period once the unit has passed (docker semantics)', async () => {
    const { monitor: m, rec } = monitor('/e', { startPeriodMs: 120_000, failures: 2 });
    m.start();
    await waitFor('the first pass', () => rec.events.includes('healthy'));
    server.status = 500;
    await waitFor('unhealthy within the start period', () => rec.events.includes('unhealthy'));
    expect(rec.events.slice(-3)).toEqual(['fail(1)', 'fail(2)', 'unhealthy']);
  });

  it('stop() stops probing and no callback runs afterwards', async () => {
    const { monitor: stopped, rec } = monitor('/stopped');
    stopped.start();
    await waitFor('two results', () => rec.results.length >= 2);
    stopped.stop();
    const events = rec.events.length;
    const hits = server.hits.get('/stopped') ?? 0;
    // A second monitor at the same cadence gives the stopped one ample opportunity to misbehave.
    const { monitor: control, rec: controlRec } = monitor('/control');
    control.start();
    await waitFor('ten probes of the control monitor', () => controlRec.results.length >= 10);
    expect(rec.events.length).toBe(events);
    expect(server.hits.get('/stopped') ?? 0).toBeLessThanOrEqual(hits + 1); // at most the one already in flight
    expect(stopped.active).toBe(false);
  });
});

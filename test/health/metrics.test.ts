import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../../src/health/metrics.js';
import type { MetricsServer } from '../../src/health/metrics.js';
import type { SupervisorStatus, UnitStatus } from '../../src/supervisor/lifecycle/unit-state.js';

// This unit test gives the metrics server a small object implementing the read
// side of SupervisorControl (status, listUnits) over real UnitStatus data. The
// end-to-end metrics test, against a real supervisor, comes with the supervisor
// integration.

let server: MetricsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function unit(name: string, fields: Partial<UnitStatus>): UnitStatus {
  return {
    name,
    state: 'ready',
    kind: 'node',
    pid: 1234,
    restarts: 0,
    exitCode: null,
    exitSignal: null,
    error: null,
    since: Date.now(),
    cpuPercent: null,
    memoryBytes: null,
    health: 'unknown',
    limits: 'none',
    stoppedByOperator: false,
    ...fields,
  };
}

function fakeSupervisor(units: UnitStatus[]): { status(): SupervisorStatus; listUnits(): UnitStatus[]; units: UnitStatus[] } {
  const control = {
    units,
    status: (): SupervisorStatus => ({
      state: 'running',
      pid: process.pid,
      version: '0.1.0',
      node: 'edge-1',
      file: '/srv/system.ensemble',
      startedAt: Date.now(),
      units: control.units.length,
      readyUnits: control.units.filter((u) => u.state === 'ready').length,
    }),
    listUnits: (): UnitStatus[] => control.units,
  };
  return control;
}

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

/** Parse the Prometheus text format into `name{a="x",b="y"}` → value, and name → TYPE. */
function parse(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1] as string, type[2] as string);
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+?)(\{.*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    samples.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return { samples, types };
}

describe('metrics server', () => {
  it('exposes per-unit state, restarts, cpu, memory, health and up, read at scrape time', async () => {
    const control = fakeSupervisor([
      unit('api', { state: 'ready', restarts: 2, cpuPercent: 12.5, memoryBytes: 48_000_000, health: 'passing', limits: 'cgroup-v1' }),
      unit('worker', { state: 'backoff', pid: null, restarts: 5, health: 'failing' }),
    ]);
    server = await startMetricsServer(control, '127.0.0.1:0');
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const response = await get(`http://${server.address}/metrics`);
    expect(response.status).toBe(200);
    expect(response.type).toContain('text/plain');
    const { samples, types } = parse(response.body);
    expect(samples.get('ensemble_unit_state{unit="api",state="ready"}')).toBe(1);
    expect(samples.get('ensemble_unit_state{unit="api",state="degraded"}')).toBe(0);
    expect(samples.get('ensemble_unit_state{unit="worker",state="backoff"}')).toBe(1);
    expect(samples.get('ensemble_unit_restarts_total{unit="api"}')).toBe(2);
    expect(samples.get('ensemble_unit_restarts_total{unit="worker"}')).toBe(5);
    expect(types.get('ensemble_unit_restarts_total')).toBe('counter');
    expect(samples.get('ensemble_unit_cpu_percent{unit="api"}')).toBe(12.5);
    expect(samples.get('ensemble_unit_memory_bytes{unit="api"}')).toBe(48_000_000);
    expect(samples.has('ensemble_unit_cpu_percent{unit="worker"}')).toBe(false);
    expect(samples.get('ensemble_unit_health{unit="api"}')).toBe(1);
    expect(samples.get('ensemble_unit_health{unit="worker"}')).toBe(0);
    expect(samples.get('ensemble_unit_up{unit="api"}')).toBe(1);
    expect(samples.get('ensemble_unit_up{unit="worker"}')).toBe(0);
    expect(samples.get('ensemble_unit_limits{unit="api",mechanism="cgroup-v1"}')).toBe(1);
    expect(samples.get('ensemble_supervisor_info{version="0.1.0",node="edge-1",state="running"}')).toBe(1);
    expect(samples.get('ensemble_supervisor_units')).toBe(2);
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.get('process_cpu_seconds_total')).toBeGreaterThan(0);

    // The next scrape sees changes at once, and removed units are gone.
    control.units = [unit('api', { state: 'degraded', restarts: 3, health: 'failing' })];
    const next = parse((await get(`http://${server.address}/metrics`)).body).samples;
    expect(next.get('ensemble_unit_state{unit="api",state="degraded"}')).toBe(1);
    expect(next.get('ensemble_unit_state{unit="api",state="ready"}')).toBe(0);
    expect(next.get('ensemble_unit_restarts_total{unit="api"}')).toBe(3);
    expect(next.get('ensemble_unit_health{unit="api"}')).toBe(0);
    expect(next.has('ensemble_unit_cpu_percent{unit="api"}')).toBe(false);
    expect([...next.keys()].some((key) => key.includes('unit="worker"'))).toBe(false);
  });

  it('answers 404 elsewhere, rejects bad addresses and a busy port, and closes', async () => {
    server = await startMetricsServer(fakeSupervisor([]), '127.0.0.1:0');
    expect((await get(`http://${server.address}/nothing`)).status).toBe(404);
    await expect(startMetricsServer(fakeSupervisor([]), 'localhost:http')).rejects.toMatchObject({ code: 'ENS_E_INVALID_ARGUMENT' });
    await expect(startMetricsServer(fakeSupervisor([]), server.address)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const address = server.address;
    await server.close();
    server = null;
    await expect(get(`http://${address}/metrics`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SERVICES_PER_UNIT } from '../../src/api/local-service-registry.js';
import { loadProtos } from '../../src/wire/protos.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { rawCall } from '../helpers/grpc-call.js';
import { sdkRunner, startSystem, waitLogLine, type RunningSystem } from '../helpers/system-harness.js';

// Issue 12 row 15: names derived from a unit's name belong to that unit, and a
// unit's registrations are capped. A real unit ("squatter") tries to take the
// names of a unit ("late") that starts after it; "late" must still start and
// become ready with its own services.
let sys: RunningSystem;
let discovery: grpc.Client;

function tokenOf(unit: string): string {
  const pid = sys.supervisor.getUnit(unit).pid;
  const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((e) => e.startsWith('ENSEMBLE_TOKEN='));
  return entry!.slice('ENSEMBLE_TOKEN='.length);
}

beforeAll(async () => {
  sys = await startSystem(
    `runner squatter "${fixture('sdk-squatter.mjs')}" {\n  readiness: notify\n  properties { names: ["late.resources", "late", "host-child.resources"] }\n}\n` +
      sdkRunner('late', 'sdk-echo.mjs', 'depends_on: [squatter]') +
      `runner host "${fixture('sdk-echo.mjs')}" {\n  readiness: notify\n  properties { service: "host-svc" }\n  service runner child "x.js" {}\n}\n`,
  );
  discovery = new (loadProtos().Discovery)(sys.home.paths.apiAddress, grpc.credentials.createInsecure());
}, 120_000);

afterAll(async () => {
  discovery?.close();
  await sys?.close();
});

describe('names derived from a unit name', () => {
  it('refuses a unit registering another (not yet started) unit\'s names with PERMISSION_DENIED naming the owner; the owner then starts and is ready', async () => {
    const refused = await waitLogLine(sys, 'squatter', /^register late\.resources: (.*)$/);
    expect(refused[1]).toBe('PERMISSION_DENIED unit "squatter" cannot register service "late.resources": the name belongs to unit "late"');
    expect((await waitLogLine(sys, 'squatter', /^register late: (.*)$/))[1]).toContain('PERMISSION_DENIED');
    expect(sys.supervisor.getUnit('late').state).toBe('ready');
    expect(sys.supervisor.getUnit('late').restarts).toBe(0);
    const found = await sys.client.find('late.resources');
    expect(found.unit).toBe('late');
    expect((await sys.client.find('late')).unit).toBe('late');
  });

  it('gives a host the names of its service runner children', async () => {
    expect((await waitLogLine(sys, 'squatter', /^register host-child\.resources: (.*)$/))[1]).toBe('OK');
    const squatterToken = tokenOf('squatter');
    const r = await rawCall(discovery, 'Register', { unit: 'squatter', services: [{ name: 'child.resources', address: '127.0.0.1:9' }] }, squatterToken);
    expect(r.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(r.err?.details).toContain('belongs to unit "host"');
    const own = await rawCall(discovery, 'Register', { unit: 'host', services: [{ name: 'child.resources', address: '127.0.0.1:9' }] }, tokenOf('host'));
    expect(own.err).toBeUndefined();
    const alias = await rawCall(discovery, 'Register', { unit: 'squatter', services: [{ name: 'innocent', aliases: ['late'], address: '127.0.0.1:9' }] }, squatterToken);
    expect(alias.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(alias.err?.details).toContain('alias "late"');
  });
});

describe('registration caps', () => {
  it('refuses 5,000 services in one Register with RESOURCE_EXHAUSTED and stores none of them', async () => {
    const line = await waitLogLine(sys, 'squatter', /^register 5000 services: (.*)$/);
    expect(line[1]).toBe('RESOURCE_EXHAUSTED Register of 5000 services refused: at most 256 services in one call');
    expect((await rawCall(discovery, 'Find', { name: 'flood-0' })).err?.code).toBe(grpc.status.NOT_FOUND);
  });

  it(`caps a unit at ${MAX_SERVICES_PER_UNIT} services over several calls`, async () => {
    const token = tokenOf('squatter');
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ name: `capped-${from + i}`, address: '127.0.0.1:9' }));
    // The squatter already holds host-child.resources (1 service).
    expect((await rawCall(discovery, 'Register', { unit: 'squatter', services: batch(0, 200) }, token)).err).toBeUndefined();
    const over = await rawCall(discovery, 'Register', { unit: 'squatter', services: batch(200, 100) }, token);
    expect(over.err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(over.err?.details).toBe('unit "squatter" cannot register 100 more service(s): it would hold 301, at most 256 services per unit');
    expect((await rawCall(discovery, 'Find', { name: 'capped-200' })).err?.code).toBe(grpc.status.NOT_FOUND);
    // Re-registering what it holds does not count twice; freeing makes room again.
    expect((await rawCall(discovery, 'Register', { unit: 'squatter', services: batch(0, 200) }, token)).err).toBeUndefined();
    await rawCall(discovery, 'Unregister', { unit: 'squatter', names: batch(0, 100).map((s) => s.name) }, token);
    expect((await rawCall(discovery, 'Register', { unit: 'squatter', services: batch(200, 100) }, token)).err).toBeUndefined();
  });
});

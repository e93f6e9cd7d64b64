import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceMessage, WatchResponseMessage } from '../../src/wire/discovery-messages.js';
import { loadProtos } from '../../src/wire/protos.js';
import type { LogLineMessage, UnitMessage } from '../../src/api/supervisor-messages.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { waitFor } from '../helpers/wait-for.js';
import { collectStream, rawCall } from '../helpers/grpc-call.js';
import { sdkRunner, startSystem, type RunningSystem } from '../helpers/system-harness.js';

let sys: RunningSystem;
let discovery: grpc.Client;
let supervisor: grpc.Client;

/** A unit's ENSEMBLE_TOKEN, read from its process environment (same user). */
function tokenOf(unit: string): string {
  const pid = sys.supervisor.getUnit(unit).pid;
  const entry = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((e) => e.startsWith('ENSEMBLE_TOKEN='));
  return entry!.slice('ENSEMBLE_TOKEN='.length);
}

beforeAll(async () => {
  sys = await startSystem(
    sdkRunner('echo', 'sdk-echo.mjs', 'properties { aliases: ["greeter"] }') +
      sdkRunner('other', 'sdk-echo.mjs', 'properties { service: "other-echo" }') +
      `runner ticker "${fixture('unit-ready.mjs')}" {\n  arguments: "--tick"\n  readiness: notify\n}\n`,
  );
  const protos = loadProtos();
  discovery = new protos.Discovery(sys.home.paths.apiAddress, grpc.credentials.createInsecure());
  supervisor = new protos.Supervisor(sys.home.paths.apiAddress, grpc.credentials.createInsecure());
});

afterAll(async () => {
  discovery?.close();
  supervisor?.close();
  await sys?.close();
});

describe('the API socket', () => {
  it('is a Unix socket with mode 0600 and leaves no temporary directory behind', () => {
    const st = statSync(sys.home.paths.apiSocket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(readdirSync(sys.home.paths.runtimeDir).filter((f) => f.startsWith('.api-'))).toEqual([]);
  });
});

describe('Discovery', () => {
  it('finds by name, alias and family, lists by query and prefers ready units', async () => {
    expect((await sys.client.find('greeter')).unit).toBe('echo');
    const both = (await rawCall<{ services: ServiceMessage[] }>(discovery, 'FindAll', { family: 'demo.echo.v1.Echo' })).res!.services;
    expect(both.map((s) => s.name).sort()).toEqual(['echo', 'other-echo']);
    expect(both.every((s) => s.ready && s.unitState === 'ready' && s.node !== '')).toBe(true);
    const listed = await sys.client.listServices('GREET');
    expect(listed.map((s) => s.name)).toEqual(['echo']);
    const resources = await sys.client.find('other.resources');
    expect(resources.family).toBe('ensemble.resources.v1.Resources');
    const missing = await rawCall(discovery, 'Find', { name: 'nope' });
    expect(missing.err?.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.err?.details).toContain('"nope"');
  });

  it('drops a stopped unit\'s services, streams the change, and takes them back when it registers again', async () => {
    const call = (discovery as unknown as { Watch(r: object): grpc.ClientReadableStream<WatchResponseMessage> }).Watch({ query: 'other' });
    const key = (e: WatchResponseMessage) => `${e.type}:${e.service?.name ?? ''}`;
    const events = collectStream(call, (seen) => {
      const removed = seen.findIndex((e) => key(e) === 'CHANGE_TYPE_REMOVED:other-echo');
      return removed >= 0 && seen.slice(removed).some((e) => key(e) === 'CHANGE_TYPE_ADDED:other-echo');
    });
    await sys.client.control('stop', 'other');
    expect((await rawCall(discovery, 'Find', { name: 'other-echo' })).err?.code).toBe(grpc.status.NOT_FOUND);
    await sys.client.control('start', 'other');
    const seen = await events;
    const kinds = seen.map(key);
    // The current set first, then SYNCED, then the removal and the new registration.
    expect(kinds.slice(0, 3).sort()).toEqual(['CHANGE_TYPE_ADDED:other-echo', 'CHANGE_TYPE_ADDED:other.resources', 'CHANGE_TYPE_SYNCED:'].sort());
    expect(kinds.indexOf('CHANGE_TYPE_REMOVED:other-echo')).toBeGreaterThan(2);
    expect(kinds.lastIndexOf('CHANGE_TYPE_ADDED:other-echo')).toBeGreaterThan(kinds.indexOf('CHANGE_TYPE_REMOVED:other-echo'));
    expect((await sys.client.find('other-echo')).unit).toBe('other');
  });
});

describe('unit authentication', () => {
  const reg = { name: 'probe-svc', address: '127.0.0.1:9' };

  it('refuses a missing or wrong token and another unit\'s name with PERMISSION_DENIED', async () => {
    const echoToken = tokenOf('echo');
    for (const [token, unit] of [[undefined, ''], ['not-a-token', ''], [echoToken, 'other']] as const) {
      const r = await rawCall(discovery, 'Register', { unit, services: [reg] }, token);
      expect(r.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    }
    expect((await rawCall(supervisor, 'Ready', { unit: '' }, 'wrong')).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await rawCall(supervisor, 'Ready', { unit: 'other' }, echoToken)).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await rawCall(discovery, 'Unregister', { unit: 'other', names: [] }, echoToken)).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await sys.client.find('other-echo')).unit).toBe('other');
  });

  it('lets a unit register for itself, refuses names of other units and malformed registrations', async () => {
    const token = tokenOf('echo');
    const ok = await rawCall<{ services: ServiceMessage[] }>(discovery, 'Register', { unit: 'echo', services: [reg] }, token);
    expect(ok.res?.services[0]).toMatchObject({ name: 'probe-svc', unit: 'echo', address: '127.0.0.1:9' });
    const taken = await rawCall(discovery, 'Register', { services: [{ name: 'other-echo', address: '127.0.0.1:9' }] }, token);
    expect(taken.err?.code).toBe(grpc.status.ALREADY_EXISTS);
    const bad = await rawCall(discovery, 'Register', { services: [{ name: 'x', address: 'nowhere' }] }, token);
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.err?.details).toContain('host:port');
    await rawCall(discovery, 'Unregister', { names: ['probe-svc'] }, token);
    expect((await rawCall(discovery, 'Find', { name: 'probe-svc' })).err?.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('Supervisor', () => {
  it('answers NOT_FOUND for unknown units and INVALID_ARGUMENT for empty names', async () => {
    const unknown = await rawCall(supervisor, 'GetUnit', { unit: 'ghost' });
    expect(unknown.err?.code).toBe(grpc.status.NOT_FOUND);
    expect(unknown.err?.details).toBe('unknown unit "ghost"');
    expect((await rawCall(supervisor, 'StopUnit', { unit: '' })).err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    // The file did not change: a dry-run Reload reports every unit unchanged.
    expect((await rawCall<{ applied: boolean; changed: string[]; unchanged: string[] }>(supervisor, 'Reload', { dryRun: true })).res).toMatchObject({ applied: false, changed: [], unchanged: expect.arrayContaining(['echo']) as unknown });
    const status = (await rawCall<{ state: string; units: number }>(supervisor, 'Status', {})).res!;
    expect(status).toMatchObject({ state: 'running', units: 3 });
  });

  it('streams the last lines of a unit, then follows new ones', async () => {
    await waitFor('two ticks', () => sys.supervisor.tailLogs('ticker', 10).filter((l) => l.line === 'tick').length >= 2);
    const tail = await collectStream((supervisor as unknown as { Logs(r: object): grpc.ClientReadableStream<LogLineMessage> }).Logs({ unit: 'ticker', tail: 2, follow: false }), () => false);
    expect(tail).toHaveLength(2);
    expect(tail.every((l) => l.unit === 'ticker' && l.stream === 'stdout')).toBe(true);
    const followed = await collectStream(
      (supervisor as unknown as { Logs(r: object): grpc.ClientReadableStream<LogLineMessage> }).Logs({ unit: 'ticker', tail: 1, follow: true }),
      (seen) => seen.length >= 3,
    );
    expect(followed.slice(1).map((l) => l.line)).toEqual(['tick', 'tick']);
    expect(followed[2]!.timeMs).toBeGreaterThanOrEqual(followed[1]!.timeMs);
  });

  it('streams unit state changes with WatchUnits', async () => {
    const oldPid = sys.supervisor.getUnit('ticker').pid;
    const call = (supervisor as unknown as { WatchUnits(r: object): grpc.ClientReadableStream<{ unit: UnitMessage }> }).WatchUnits({ units: ['ticker'] });
    const seen = collectStream(call, (s) => s.length > 1 && s.at(-1)!.unit.state === 'ready');
    await sys.client.control('restart', 'ticker');
    const states = (await seen).map((m) => m.unit.state);
    expect(states[0]).toBe('ready');
    expect(states).toContain('stopping');
    expect(states.at(-1)).toBe('ready');
    expect((await seen).at(-1)!.unit.pid).not.toBe(oldPid);
    const unknown = (supervisor as unknown as { WatchUnits(r: object): grpc.ClientReadableStream<unknown> }).WatchUnits({ units: ['ghost'] });
    await expect(collectStream(unknown, () => false)).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  it('adds a unit given in ensemble syntax, explains a bad one, and removes it', async () => {
    const runner = `runner extra "${fixture('unit-ready.mjs')}" { readiness: notify }`;
    const added = await rawCall<{ unit: UnitMessage }>(supervisor, 'AddUnit', { runner });
    expect(added.err).toBeUndefined();
    expect(added.res!.unit).toMatchObject({ name: 'extra', state: 'ready', kind: 'node' });
    const bad = await rawCall(supervisor, 'AddUnit', { runner: 'runner broken "./x.js" { readiness: sometimes }' });
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.err?.details).toMatch(/<snippet>:1:\d+/);
    const twice = await rawCall(supervisor, 'AddUnit', { runner });
    expect(twice.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(twice.err?.details).toContain('"extra"');
    expect((await rawCall(supervisor, 'RemoveUnit', { unit: 'extra' })).err).toBeUndefined();
    expect((await rawCall(supervisor, 'GetUnit', { unit: 'extra' })).err?.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe('health', () => {
  it('serves grpc.health.v1 on the supervisor and on every SDK unit', async () => {
    const protos = loadProtos();
    const onSupervisor = new protos.Health(sys.home.paths.apiAddress, grpc.credentials.createInsecure());
    const unitAddress = (await sys.client.find('echo')).address;
    const onUnit = new protos.Health(unitAddress, grpc.credentials.createInsecure());
    try {
      expect((await rawCall(onSupervisor, 'Check', { service: '' })).res).toEqual({ status: 'SERVING' });
      expect((await rawCall(onSupervisor, 'Check', { service: 'ensemble.discovery.v1.Discovery' })).res).toEqual({ status: 'SERVING' });
      expect((await rawCall(onSupervisor, 'Check', { service: 'nope' })).err?.code).toBe(grpc.status.NOT_FOUND);
      expect((await rawCall(onUnit, 'Check', { service: 'demo.echo.v1.Echo' })).res).toEqual({ status: 'SERVING' });
    } finally {
      onSupervisor.close();
      onUnit.close();
    }
  });
});

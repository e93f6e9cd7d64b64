import { describe, expect, it } from 'vitest';
import { LocalServiceRegistry } from '../../src/api/local-service-registry.js';
import type { RegistryChange } from '../../src/api/service-registry.js';
import type { UnitState, UnitStatus } from '../../src/supervisor/lifecycle/unit-state.js';

function status(name: string, state: UnitState, pid: number | null): UnitStatus {
  return { name, state, kind: 'node', pid, restarts: 0, exitCode: null, exitSignal: null, error: null, since: 0, cpuPercent: null, memoryBytes: null, health: 'unknown', limits: 'none', stoppedByOperator: false };
}

function registry(statuses: Map<string, UnitStatus>): LocalServiceRegistry {
  return new LocalServiceRegistry('node-a', (u) => statuses.get(u) ?? null);
}

const svc = (name: string, extra: Partial<{ aliases: string[]; family: string; address: string }> = {}) => ({
  name,
  aliases: extra.aliases ?? [],
  family: extra.family ?? 'demo.Thing',
  friendlyName: '',
  address: extra.address ?? '127.0.0.1:7000',
});

describe('LocalServiceRegistry', () => {
  it('prefers a ready unit among candidates of the same family, and name over alias over family', () => {
    const statuses = new Map([
      ['a', status('a', 'ready', 10)],
      ['b', status('b', 'degraded', 11)],
    ]);
    const r = registry(statuses);
    r.register('a', [svc('thing-a', { aliases: ['thing-b-alias'] })]);
    r.register('b', [svc('thing-b')]);
    expect(r.find('demo.Thing')?.unit).toBe('a');
    statuses.set('a', status('a', 'degraded', 10));
    statuses.set('b', status('b', 'ready', 11));
    r.unitChanged(statuses.get('a')!);
    r.unitChanged(statuses.get('b')!);
    expect(r.find('demo.Thing')?.unit).toBe('b');
    expect(r.findAll('demo.Thing').map((s) => s.unit)).toEqual(['b', 'a']);
    expect(r.find('thing-b-alias')?.name).toBe('thing-a');
    expect(r.find('thing-b')?.name).toBe('thing-b');
  });

  it('drops a unit\'s services when it stops or runs as a new process, reporting each change', () => {
    const statuses = new Map([['a', status('a', 'starting', 10)]]);
    const r = registry(statuses);
    const changes: string[] = [];
    r.watch((c: RegistryChange) => changes.push(`${c.type}:${c.service.name}:${c.service.unitState}`));
    r.register('a', [svc('x')]);
    r.unitChanged(status('a', 'ready', 10));
    expect(r.addressOf('a')).toBe('127.0.0.1:7000');
    r.unitChanged(status('a', 'ready', 12));
    expect(r.find('x')).toBeNull();
    statuses.set('a', status('a', 'ready', 12));
    r.register('a', [svc('x', { address: 'unix:/tmp/x.sock' })]);
    r.unitChanged(status('a', 'backoff', null));
    expect(r.list('')).toEqual([]);
    expect(changes).toEqual(['added:x:starting', 'updated:x:ready', 'removed:x:ready', 'added:x:ready', 'removed:x:ready']);
  });

  it('lists by a case-insensitive query over name, aliases, family and friendly name', () => {
    const r = registry(new Map([['a', status('a', 'ready', 1)]]));
    r.register('a', [svc('zeta', { family: 'demo.Sensor' }), { ...svc('alpha', { aliases: ['Main-Store'] }), friendlyName: 'Kitchen' }]);
    expect(r.list('SENSOR').map((s) => s.name)).toEqual(['zeta']);
    expect(r.list('store').map((s) => s.name)).toEqual(['alpha']);
    expect(r.list('kitch').map((s) => s.name)).toEqual(['alpha']);
    expect(r.list('').map((s) => s.name)).toEqual(['alpha', 'zeta']);
  });
});

describe('LocalServiceRegistry names and caps', () => {
  it('reserves <unit> and <unit>.resources of every known unit, started or not, for that unit', () => {
    const r = registry(new Map([['a', status('a', 'ready', 10)], ['late', status('late', 'pending', null)]]));
    expect(() => r.register('a', [svc('late.resources')])).toThrow('unit "a" cannot register service "late.resources": the name belongs to unit "late"');
    expect(() => r.register('a', [svc('late')])).toThrow(expect.objectContaining({ code: 'ENS_E_PERMISSION' }));
    expect(() => r.register('a', [svc('ok', { aliases: ['late'] })])).toThrow('alias "late"');
    expect(r.register('late', [svc('late.resources'), svc('late')])).toHaveLength(2);
  });

  it('uses the plan owner given, also for names of units on other nodes', () => {
    const r = new LocalServiceRegistry('node-a', () => null, { ownerOf: (n) => (n === 'api' ? { unit: 'api', node: 'edge-2' } : null) });
    expect(() => r.register('x', [svc('api')])).toThrow('the name belongs to unit "api" (on node "edge-2")');
  });

  it('caps one call and one unit, counting names it already holds once', () => {
    const r = new LocalServiceRegistry('node-a', () => null, { maxPerUnit: 3, maxPerCall: 2 });
    expect(() => r.register('a', [svc('s1'), svc('s2'), svc('s3')])).toThrow(expect.objectContaining({ code: 'ENS_E_RESOURCE_EXHAUSTED' }));
    r.register('a', [svc('s1'), svc('s2')]);
    r.register('a', [svc('s2'), svc('s3')]);
    expect(() => r.register('a', [svc('s4')])).toThrow('it would hold 4, at most 3 services per unit');
    r.unregister('a', ['s1']);
    expect(r.register('a', [svc('s4')])).toHaveLength(1);
    r.unitChanged(status('a', 'stopped', null));
    expect(r.list('')).toEqual([]);
    expect(r.register('a', [svc('s5'), svc('s6')])).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { diffPlans, onlyPropertiesChanged } from '../../../src/supervisor/reload/plan-diff.js';
import { makePlan, makeUnitSpec } from '../../helpers/make-unit-spec.js';

const FILE = '/srv/app/system.ensemble';

describe('diffPlans', () => {
  it('ignores where a runner is written (moved lines, another file) but sees every resolved field', () => {
    const a = makeUnitSpec({ name: 'a', args: ['1'], source: { file: FILE, line: 1, column: 1 } });
    const moved = { ...a, source: { file: '/srv/app/lib.ensemble', line: 40, column: 3 } };
    expect(diffPlans(makePlan(FILE, [a]), makePlan(FILE, [moved])).units).toMatchObject([{ name: 'a', change: 'unchanged', fields: [] }]);
    const changed = { ...a, args: ['2'], env: { LOG_LEVEL: 'debug' }, stop: { signal: 'SIGINT' as const, timeoutMs: 10_000 } };
    expect(diffPlans(makePlan(FILE, [a]), makePlan(FILE, [changed])).units[0]).toMatchObject({ change: 'changed', fields: ['args', 'env.LOG_LEVEL', 'stop'] });
  });

  it('names changed property keys, and knows a properties-only change', () => {
    const a = makeUnitSpec({ name: 'a', properties: { interval: '30s', device: '~/dev', nested: { x: 1 } } });
    const b = { ...a, properties: { interval: '10s', device: '~/dev', nested: { x: 2 }, added: true } };
    const [unit] = diffPlans(makePlan(FILE, [a]), makePlan(FILE, [b])).units;
    expect(unit?.fields).toEqual(['properties.added', 'properties.interval', 'properties.nested']);
    expect(onlyPropertiesChanged(unit!)).toBe(true);
    const c = { ...b, args: ['x'] };
    expect(onlyPropertiesChanged(diffPlans(makePlan(FILE, [a]), makePlan(FILE, [c])).units[0]!)).toBe(false);
  });

  it('compares depends_on as a set and host children without their positions', () => {
    const child = { name: 'cpu', path: 'cat', resolvedPath: 'cat', args: [], properties: { interval: '1s' }, source: { file: FILE, line: 3, column: 5 } };
    const a = makeUnitSpec({ name: 'a', dependsOn: ['x', 'y'], services: [child] });
    const b = { ...a, dependsOn: ['y', 'x'], services: [{ ...child, source: { file: FILE, line: 9, column: 5 } }] };
    const x = makeUnitSpec({ name: 'x' });
    const y = makeUnitSpec({ name: 'y' });
    expect(diffPlans(makePlan(FILE, [x, y, a]), makePlan(FILE, [y, x, b])).units.map((u) => u.change)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const c = { ...b, services: [{ ...child, properties: { interval: '2s' } }] };
    expect(diffPlans(makePlan(FILE, [x, y, a]), makePlan(FILE, [x, y, c])).units[2]).toMatchObject({ change: 'changed', fields: ['services'] });
  });

  it('lists added units in plan order and removed ones after them; reports network fields, never values', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => makeUnitSpec({ name }));
    const net = { name: 'plant', listen: '0.0.0.0:7600', peers: ['10.0.0.2:7600'], token: 'old-secret', tls: null, source: { file: FILE, line: 1, column: 1 } };
    const before = { ...makePlan(FILE, [a!, b!]), network: net };
    const after = { ...makePlan(FILE, [c!, a!]), network: { ...net, token: 'new-secret', peers: [], source: { file: FILE, line: 7, column: 1 } } };
    const diff = diffPlans(before, after);
    expect(diff.units.map((u) => [u.name, u.change])).toEqual([
      ['c', 'added'],
      ['a', 'unchanged'],
      ['b', 'removed'],
    ]);
    expect(diff.network).toEqual({ fields: ['peers', 'token'] });
    expect(JSON.stringify(diff.network)).not.toContain('secret');
    expect(diffPlans({ ...before, network: null }, before).network).toEqual({ fields: ['added'] });
  });
});

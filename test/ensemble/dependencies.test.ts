import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errors, ok, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.cleanup();
});

const CHAIN = 20_000;

/** `runner u0 …` to `runner u<n-1> …`, each but the last depending on the next one (u0 needs u1, …). */
function chain(n: number, last = ''): string {
  const lines: string[] = [];
  for (let i = 0; i < n - 1; i++) lines.push(`runner u${i} "u.js" { depends_on: [u${i + 1}] }`);
  lines.push(`runner u${n - 1} "u.js"${last}`);
  return `${lines.join('\n')}\n`;
}

/** `line:col message` of each diagnostic. */
const located = (ds: readonly { line: number; column: number; message: string }[]): string[] => ds.map((d) => `${d.line}:${d.column} ${d.message}`);

describe('start order', () => {
  it(`orders a ${CHAIN.toLocaleString('en')}-unit dependency chain declared dependents first (no stack overflow)`, async () => {
    const plan = await ok(await ws.write('chain.ensemble', chain(CHAIN)));
    expect(plan.units).toHaveLength(CHAIN);
    const names = plan.units.map((u) => u.name);
    expect(names.slice(0, 3)).toEqual([`u${CHAIN - 1}`, `u${CHAIN - 2}`, `u${CHAIN - 3}`]);
    expect(names.slice(-2)).toEqual(['u1', 'u0']);
    expect(names.every((name, i) => name === `u${CHAIN - 1 - i}`)).toBe(true);
  });

  it(`keeps a ${CHAIN.toLocaleString('en')}-unit chain declared dependencies first in file order`, async () => {
    const lines = ['runner u0 "u.js"'];
    for (let i = 1; i < CHAIN; i++) lines.push(`runner u${i} "u.js" { depends_on: [u${i - 1}] }`);
    const plan = await ok(await ws.write('chain.ensemble', `${lines.join('\n')}\n`));
    expect(plan.units.every((u, i) => u.name === `u${i}`)).toBe(true);
  });

  it('starts dependencies first and otherwise keeps file order, following depends_on in its order', async () => {
    const f = await ws.write(
      'a.ensemble',
      ['runner a "a.js" { depends_on: [d, c] }', 'runner b "b.js"', 'runner c "c.js" { depends_on: [e] }', 'runner d "d.js"', 'runner e "e.js"', 'runner f "f.js" { depends_on: [b] }', ''].join('\n'),
    );
    const plan = await ok(f);
    expect(plan.units.map((u) => u.name)).toEqual(['d', 'e', 'c', 'a', 'b', 'f']);
  });
});

describe('dependency cycles', () => {
  it(`names a cycle through a ${CHAIN.toLocaleString('en')}-unit chain once, at the depends_on entry that closes it`, async () => {
    const ds = await errors(await ws.write('cycle.ensemble', chain(CHAIN, ' { depends_on: [u0] }')));
    expect(ds).toHaveLength(1);
    const d = ds[0];
    expect(d?.code).toBe('ENS_E_VALIDATION');
    expect([d?.line, d?.column]).toEqual([CHAIN, `runner u${CHAIN - 1} "u.js" { depends_on: [`.length + 1]);
    // Named by its ends (every name would make a line as long as the file).
    expect(d?.message).toBe(`dependency cycle of ${CHAIN.toLocaleString('en')} units: u0 → u1 → u2 → u3 → u4 → u5 → … → u${CHAIN - 3} → u${CHAIN - 2} → u${CHAIN - 1} → u0`);
  });

  it('reports each cycle once, from where the walk in file order enters it, and still orders the rest', async () => {
    const f = await ws.write(
      'a.ensemble',
      [
        'runner a "a.js" { depends_on: [b] }',
        'runner b "b.js" { depends_on: [c, x] }',
        'runner c "c.js" { depends_on: [a] }',
        'runner x "x.js" { depends_on: [y] }',
        'runner y "y.js" { depends_on: [x] }',
        'runner z "z.js" { depends_on: [y] }',
        '',
      ].join('\n'),
    );
    expect(located(await errors(f))).toEqual(['3:32 dependency cycle: a → b → c → a', '5:32 dependency cycle: x → y → x']);
  });

  it('reports a unit that depends on itself through one other unit', async () => {
    const f = await ws.write('a.ensemble', 'runner a "a.js" { depends_on: [b] }\nrunner b "b.js" { depends_on: [a] }\n');
    expect(located(await errors(f))).toEqual(['2:32 dependency cycle: a → b → a']);
  });
});

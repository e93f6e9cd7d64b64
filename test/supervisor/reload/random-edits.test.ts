import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startReloadSystem, type ReloadSystem } from './reload-harness.js';

// Twenty random edits of an ensemble file, each applied with a reload. After every reload:
// the running set equals the plan (names, one live process each running the plan's command
// line), units the edit did not change keep their pid, changed and added units run a new
// process, removed units' processes are gone. The seed is printed; RELOAD_SEED=N replays it.
const SEED = Number(process.env.RELOAD_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EDITS = 20;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelUnit {
  seconds: number;
  env: Record<string, string>;
  deps: string[];
}
type Model = Map<string, ModelUnit>;

const NAMES = Array.from({ length: 9 }, (_, i) => `u${i}`);
const index = (name: string) => Number(name.slice(1));

function render(model: Model, order: string[], comment: string): string {
  const lines = [`// ${comment}`];
  for (const name of order) {
    const u = model.get(name)!;
    const env = Object.keys(u.env).length ? `  env { ${Object.entries(u.env).map(([k, v]) => `${k}: "${v}"`).join('  ')} }` : '';
    const deps = u.deps.length ? `  depends_on: [${u.deps.join(', ')}]` : '';
    lines.push(`runner ${name} "sleep" { arguments: "${u.seconds}"${env}${deps} }`);
  }
  return `${lines.join('\n')}\n`;
}

function key(u: ModelUnit): string {
  return JSON.stringify([u.seconds, Object.entries(u.env).sort(), [...u.deps].sort()]);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

let system: ReloadSystem | null = null;
afterAll(() => {
  system?.cleanup();
  system?.home.cleanup();
});

describe(`randomized reloads (seed ${SEED})`, { timeout: 600_000 }, () => {
  it('twenty edits: unchanged units keep their pid, the running set equals the plan', async () => {
    console.log(`random reload edits: seed ${SEED} (replay with RELOAD_SEED=${SEED})`);
    const random = prng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    let seconds = 100_000;
    const fresh = (): ModelUnit => ({ seconds: ++seconds, env: {}, deps: [] });
    const model: Model = new Map([
      ['u0', fresh()],
      ['u1', { ...fresh(), deps: ['u0'] }],
      ['u2', fresh()],
    ]);
    let order = [...model.keys()];
    system = await startReloadSystem({ 'system.ensemble': render(model, order, 'start') });
    const s = system;
    await s.settled();
    let pids = await s.pids();

    for (let step = 1; step <= EDITS; step++) {
      const before = new Map([...model].map(([n, u]) => [n, key(u)]));
      const present = [...model.keys()];
      const absent = NAMES.filter((n) => !model.has(n));
      const kinds = ['args', 'env', 'deps', 'noop', 'reorder', ...(absent.length && present.length < 7 ? ['add', 'add'] : []), ...(present.length > 1 ? ['remove'] : [])];
      const edits = random() < 0.25 ? [pick(kinds), pick(kinds)] : [pick(kinds)];
      for (const kind of edits) {
        const names = [...model.keys()];
        const target = pick(names);
        const unit = model.get(target)!;
        switch (kind) {
          case 'add': {
            const name = pick(NAMES.filter((n) => !model.has(n)));
            if (!name) break;
            const deps = [...model.keys()].filter((n) => index(n) < index(name) && random() < 0.4);
            model.set(name, { ...fresh(), deps });
            order.push(name);
            break;
          }
          case 'remove':
            if (model.size < 2) break;
            model.delete(target);
            order = order.filter((n) => n !== target);
            for (const u of model.values()) u.deps = u.deps.filter((d) => d !== target);
            break;
          case 'args':
            unit.seconds = ++seconds;
            break;
          case 'env':
            unit.env = { ...unit.env, [pick(['A', 'B'])]: `v${step}` };
            break;
          case 'deps': {
            const candidates = [...model.keys()].filter((n) => index(n) < index(target) && !unit.deps.includes(n));
            if (unit.deps.length > 0 && (candidates.length === 0 || random() < 0.5)) unit.deps = unit.deps.slice(1);
            else if (candidates.length > 0) unit.deps = [...unit.deps, pick(candidates)];
            break;
          }
          case 'reorder':
            order = [...order].sort(() => random() - 0.5);
            break;
          case 'noop':
            break;
        }
      }
      const where = `seed ${SEED}, step ${step} (${edits.join('+')})`;
      const expected = {
        added: [...model.keys()].filter((n) => !before.has(n)).sort(),
        removed: [...before.keys()].filter((n) => !model.has(n)).sort(),
        changed: [...model.keys()].filter((n) => before.has(n) && before.get(n) !== key(model.get(n)!)).sort(),
      };
      s.home.write('system.ensemble', render(model, order, `step ${step}`));
      const result = await s.client.reload('', false);
      expect({ added: [...result.added].sort(), removed: [...result.removed].sort(), changed: [...result.changed].sort() }, where).toEqual(expected);

      const units = await s.units();
      expect(units.map((u) => u.name).sort(), where).toEqual([...model.keys()].sort());
      const now = await s.pids();
      for (const [name, u] of model) {
        const pid = now.get(name);
        expect(pid, `${where}: ${name} has a process`).toBeDefined();
        expect(isAlive(pid!), `${where}: ${name} is alive`).toBe(true);
        // A unit counts as ready once its process is spawned; it may still be inside execve (its
        // /proc cmdline is empty or the launcher's for that moment), so wait for the command line.
        await waitFor(`${where}: ${name} runs its plan`, () => cmdline(pid!).includes(`sleep ${u.seconds}`), { timeoutMs: 20_000 });
        const old = pids.get(name);
        if (expected.changed.includes(name) || expected.added.includes(name)) expect(pid, `${where}: ${name} runs a new process`).not.toBe(old);
        else expect(pid, `${where}: unchanged ${name} keeps its pid`).toBe(old);
      }
      for (const name of expected.removed) expect(isAlive(pids.get(name)!), `${where}: removed ${name} is gone`).toBe(false);
      expect(units.every((u) => u.state === 'ready'), where).toBe(true);
      pids = now;
    }
  });
});

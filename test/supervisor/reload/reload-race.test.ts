import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UnitMessage } from '../../../src/api/supervisor-messages.js';
import { overlappingStarts, psJson as psJsonOf, unitProcs } from '../../helpers/unit-procs.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startReloadSystem, type ReloadSystem } from './reload-harness.js';

// Issue 12 #11: a reload that changes a unit while an operator restart of that
// unit is still stopping it must leave exactly one live instance, the one `ps`
// shows. The unit ignores SIGTERM for a while, so the two operations overlap.

const here = dirname(fileURLToPath(import.meta.url));
const SLOW = join(here, 'fixtures', 'slow-stop.mjs');
const STOP_DELAY_MS = 1500;

let s: ReloadSystem;
let generation = 0;

function file(gen: number): string {
  return `
runner slow "${SLOW}" { arguments: ["${STOP_DELAY_MS}", "gen-${gen}"] }
runner other "sleep" { arguments: "1000" }
`;
}

/** Pids of every live process of `unit` of this test's supervisor, found through /proc (environment marker). */
function livePids(unit: string): number[] {
  return unitProcs(s.home.paths.apiAddress)
    .filter((p) => p.unit === unit)
    .map((p) => p.pid);
}

/** The arguments `pid` runs with (from /proc). */
function argvOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

const psJson = (): Promise<UnitMessage[]> => psJsonOf(s.home);

function nextFile(): number {
  generation++;
  s.home.write('system.ensemble', file(generation));
  return generation;
}

const reload = (): Promise<unknown> => s.client.reload('', false);
const restart = (): Promise<unknown> => s.client.control('restart', 'slow');
const stopping = (): Promise<unknown> =>
  waitFor('slow to be stopping', async () => (await s.client.getUnit('slow')).state === 'stopping', { timeoutMs: 60_000, intervalMs: 20 });

/** Exactly one live process of `slow`, the pid `ps --json` shows, running generation `gen` when given. */
async function expectOneInstance(gen: number | null): Promise<void> {
  await s.settled({ slow: 'ready', other: 'ready' });
  const live = livePids('slow');
  const ps = await psJson();
  const shown = ps.find((u) => u.name === 'slow');
  expect(shown?.state).toBe('ready');
  expect(live).toEqual([shown?.pid]);
  if (gen !== null) expect(argvOf(live[0]!)).toContain(`gen-${gen}`);
  // And at no moment two: the supervisor never started the unit while its previous process lived
  // (a per-unit cgroup may kill a duplicate soon after; it must not be started at all).
  expect(overlappingStarts(s.child.records)).toEqual([]);
  // The other unit was never touched by any of this.
  expect(livePids('other')).toEqual([ps.find((u) => u.name === 'other')?.pid]);
}

beforeAll(async () => {
  s = await startReloadSystem({ 'system.ensemble': file(0) });
  await s.settled();
}, 120_000);

afterAll(() => {
  s?.cleanup();
  s?.home.cleanup();
});

describe('reload racing an operator restart of the same unit (issue 12 #11)', { timeout: 120_000 }, () => {
  it('starts with one instance', async () => {
    await expectOneInstance(0);
  });

  it('restart first, then a reload that changes the unit while the restart is still stopping it', async () => {
    const r1 = restart();
    await stopping();
    const gen = nextFile();
    const r2 = reload();
    await Promise.all([r1, r2]);
    await expectOneInstance(gen);
  });

  it('reload first, then an operator restart while the reload is still stopping the unit', async () => {
    const gen = nextFile();
    const r1 = reload();
    await stopping();
    const r2 = restart();
    await Promise.all([r1, r2]);
    await expectOneInstance(gen);
  });

  it('restart and reload issued at the same moment', async () => {
    const gen = nextFile();
    await Promise.all([restart(), reload()]);
    await expectOneInstance(gen);
  });

  it('restart, reload, restart, reload back to back, and a stop racing them', async () => {
    nextFile();
    const first = [restart(), reload()];
    await stopping();
    const gen = nextFile();
    await Promise.all([...first, restart(), reload()]);
    await expectOneInstance(gen);
    // An operator stop racing a reload: the unit ends stopped (the operator's word), no process left.
    const stop = s.client.control('stop', 'slow');
    nextFile();
    await Promise.all([stop, reload()]);
    await waitFor('slow to be stopped', async () => (await s.client.getUnit('slow')).state === 'stopped', { timeoutMs: 60_000 });
    expect(livePids('slow')).toEqual([]);
    await s.client.control('start', 'slow');
    await expectOneInstance(null);
  });
});

// Issue 12 #5: whatever the moment of a SIGKILL of the supervisor (start-up, restarts, stop),
// every process a unit started is gone soon after — also those that left the unit's process
// group (setsid, double fork) — and the unit cgroups are removed. Real supervisors, real
// forking units, real cgroups; every unit process carries a marker in its environment
// (ENS_TEST_MARK) so the test finds them in /proc and kills leftovers by pid.
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../../src/health/cgroup-detect.js';
import type { UnitSpec } from '../../../src/ensemble/plan.js';
import { fixture, makeUnitSpec } from '../../helpers/make-unit-spec.js';
import { isAlive, killPids, pidsWithEnv } from '../../helpers/processes.js';
import { spawnPlanSupervisor, type SupervisorChild } from '../../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startReloadSystem } from '../reload/reload-harness.js';

/** Root on a machine whose cgroups can be written: units get their own cgroup. */
function cgroupsWritable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    accessSync('/sys/fs/cgroup/memory/cgroup.procs', constants.W_OK);
    return true;
  } catch {
    return existsSync('/sys/fs/cgroup/cgroup.controllers');
  }
}
const CGROUPS = cgroupsWritable();

/**
 * Where a supervisor started by this test puts its unit cgroups: `<own>/ensemble/<runtime id>-<pid>`
 * in each hierarchy (it inherits this process's cgroups), found by the pid suffix.
 */
function instanceDirs(supervisorPid: number): string[] {
  const layout = detectCgroups('/sys/fs/cgroup');
  const owns = layout.version === 'v2' ? [layout.hierarchy.own] : layout.version === 'v1' ? [...layout.hierarchies.values()].map((x) => x.own) : [];
  const dirs: string[] = [];
  for (const own of owns) {
    let names: string[];
    try {
      names = readdirSync(join(own, 'ensemble'));
    } catch {
      continue;
    }
    for (const name of names) if (name.endsWith(`-${supervisorPid}`)) dirs.push(join(own, 'ensemble', name));
  }
  return dirs;
}

/** Remove cgroup directories a failed test left (deepest first; they are empty once their processes are killed). */
function removeCgroups(dirs: string[]): void {
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeCgroups([join(dir, entry.name)]);
    try {
      rmdirSync(dir);
    } catch {
      // still busy: reported by the assertion that failed
    }
  }
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

interface Run {
  readonly h: TempHome;
  readonly s: SupervisorChild;
  readonly mark: string;
  /** Live processes carrying this run's marker. */
  marked(): number[];
}

function run(units: (mark: string) => UnitSpec[]): Run {
  const h = makeTempHome();
  const mark = `ENS_TEST_MARK=orphans-${randomBytes(6).toString('hex')}`;
  const s = spawnPlanSupervisor(h, units(mark.slice('ENS_TEST_MARK='.length)));
  const marked = (): number[] => pidsWithEnv(mark);
  cleanups.push(() => {
    s.kill();
    killPids(marked());
    removeCgroups(instanceDirs(s.pid));
    h.cleanup();
  });
  return { h, s, mark, marked };
}

/** `n` units that fork children; with cgroups, every third one double-forks a daemon out of its process group. */
function forkingUnits(n: number, extra: Partial<UnitSpec> = {}): (mark: string) => UnitSpec[] {
  return (mark) =>
    Array.from({ length: n }, (_, i) => {
      const env = { ENS_TEST_MARK: mark };
      if (CGROUPS && i % 3 === 2) return makeUnitSpec({ name: `u${i}`, command: fixture('unit-daemonize.sh'), env, ...extra });
      const script = i % 3 === 0 ? 'sleep 1000 & wait' : 'sleep 1000 & exec sleep 1000';
      return makeUnitSpec({ name: `u${i}`, command: 'sh', args: ['-c', script], env, ...extra });
    });
}

/** SIGKILL the supervisor; every marked process must be gone (the figure the issue asks for is 2 s; the deadline is generous for a loaded machine). */
async function killAndExpectNoSurvivors(r: Run): Promise<{ before: number; ms: number }> {
  const before = r.marked().length;
  const killedAt = Date.now();
  process.kill(r.s.pid, 'SIGKILL');
  await r.s.exited;
  await waitFor('every unit process to be gone', () => r.marked().length === 0, { timeoutMs: 15_000, intervalMs: 20 });
  const ms = Date.now() - killedAt;
  if (CGROUPS) await waitFor('the unit cgroups to be removed', () => instanceDirs(r.s.pid).every((dir) => !existsSync(dir)), { timeoutMs: 15_000 });
  return { before, ms };
}

/** True when `pid` has no ENSEMBLE_ variable in its environment. */
function cleanEnvironment(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/environ`, 'latin1').includes('ENSEMBLE_');
  } catch {
    return false;
  }
}

const started = (r: { msg?: string }): boolean => typeof r.msg === 'string' && r.msg.startsWith('started, pid');

describe('no orphans after a SIGKILL of the supervisor, at any moment', () => {
  it('during the start-up of 40 units that fork children, at four moments', async () => {
    const figures: string[] = [];
    const moments: [string, (s: SupervisorChild) => boolean][] = [
      ['the first unit spawned', (s) => s.records.some(started)],
      ['10 units spawned', (s) => s.records.filter(started).length >= 10],
      ['30 units spawned', (s) => s.records.filter(started).length >= 30],
      ['all units ready', (s) => s.records.some((r) => r.msg === 'all units ready')],
    ];
    for (const [moment, reached] of moments) {
      const r = run(forkingUnits(40));
      await waitFor(moment, () => reached(r.s), { timeoutMs: 60_000, intervalMs: 5 });
      const { before, ms } = await killAndExpectNoSurvivors(r);
      figures.push(`${moment}: ${before} processes, all gone after ${ms} ms`);
    }
    console.log(`[no-orphans start-up] ${figures.join('; ')}`);
  }, 240_000);

  it('while units restart (each exits after forking a child that stays)', async () => {
    const r = run((mark) =>
      Array.from({ length: 20 }, (_, i) =>
        makeUnitSpec({
          name: `r${i}`,
          command: 'sh',
          args: ['-c', CGROUPS ? "setsid sleep 1000 & sleep 1000 & sleep 0.2; exit 1" : 'sleep 1000 & sleep 0.2; exit 1'],
          env: { ENS_TEST_MARK: mark },
          restart: { backoffMs: 10, maxBackoffMs: 50, maxRestarts: 1000 },
          stop: { timeoutMs: 5000 },
        }),
      ),
    );
    await waitFor('several restarts', () => r.s.records.filter((x) => x.event === 'state' && x.state === 'backoff').length >= 30, { timeoutMs: 60_000, intervalMs: 5 });
    const { before, ms } = await killAndExpectNoSurvivors(r);
    console.log(`[no-orphans restarts] ${before} processes, all gone after ${ms} ms`);
  }, 120_000);

  it('while units that ignore SIGTERM are being stopped', async () => {
    const r = run((mark) =>
      Array.from({ length: 20 }, (_, i) =>
        makeUnitSpec({
          name: `t${i}`,
          command: 'sh',
          // SIG_IGN is inherited: the children ignore SIGTERM too.
          args: ['-c', CGROUPS && i % 2 === 1 ? "trap '' TERM; setsid sleep 1000 & sleep 1000 & wait" : "trap '' TERM; sleep 1000 & wait"],
          env: { ENS_TEST_MARK: mark },
          stop: { timeoutMs: 60_000 },
        }),
      ),
    );
    await r.s.waitRecord('all units ready', (x) => x.msg === 'all units ready');
    process.kill(r.s.pid, 'SIGTERM');
    await waitFor('units stopping', () => r.s.records.filter((x) => x.event === 'state' && x.state === 'stopping').length >= 5, { timeoutMs: 60_000, intervalMs: 5 });
    expect(r.marked().length).toBeGreaterThan(0);
    const { before, ms } = await killAndExpectNoSurvivors(r);
    console.log(`[no-orphans stop] ${before} processes, all gone after ${ms} ms`);
  }, 120_000);

  it('while a reload starts the new generation of every unit (real `supervisor run` of an ensemble file, SIGHUP)', async () => {
    const mark = `orphans-${randomBytes(6).toString('hex')}`;
    // A reload stops the changed units, then starts their new generation: the SIGKILL lands while it starts.
    const script = CGROUPS ? 'setsid sleep 1000 & sleep 1000 & wait' : 'sleep 1000 & wait';
    const file = (generation: number): string =>
      Array.from({ length: 20 }, (_, i) => `runner u${i} "sh" { arguments: ["-c", "${script}", "g${generation}"]  env { ENS_TEST_MARK: "${mark}" }  stop: { timeout: "30s" } }`).join('\n') + '\n';
    const system = await startReloadSystem({ 'system.ensemble': file(1) });
    const marked = (): number[] => pidsWithEnv(`ENS_TEST_MARK=${mark}`);
    cleanups.push(() => {
      system.cleanup();
      killPids(marked());
      removeCgroups(instanceDirs(system.child.pid));
      system.home.cleanup();
    });
    await system.settled();
    system.home.write('system.ensemble', file(2));
    const before = system.child.records.length;
    process.kill(system.child.pid, 'SIGHUP');
    await waitFor('the new generation starting', () => system.child.records.slice(before).filter(started).length >= 3, { timeoutMs: 60_000, intervalMs: 5 });
    const count = marked().length;
    const killedAt = Date.now();
    process.kill(system.child.pid, 'SIGKILL');
    await system.child.exited;
    await waitFor('every unit process to be gone', () => marked().length === 0, { timeoutMs: 15_000, intervalMs: 20 });
    const ms = Date.now() - killedAt;
    if (CGROUPS) await waitFor('the unit cgroups to be removed', () => instanceDirs(system.child.pid).every((dir) => !existsSync(dir)), { timeoutMs: 15_000 });
    console.log(`[no-orphans reload] ${count} processes, all gone after ${ms} ms`);
  }, 180_000);

  it('a new supervisor empties the cgroups of a predecessor whose reaper was killed too', async () => {
    if (!CGROUPS) {
      // Without cgroups the predecessor's processes are found by their environment (run-system.test.ts).
      expect(CGROUPS).toBe(false);
      return;
    }
    // Each unit leaves a daemon with a clean environment: only its cgroup says whose it is
    // (the environment scan of RuntimeOwner cannot find it).
    const r = run((mark) =>
      Array.from({ length: 6 }, (_, i) =>
        makeUnitSpec({ name: `d${i}`, command: 'sh', args: ['-c', 'setsid env -i ENS_TEST_MARK="$ENS_TEST_MARK" sleep 1000 & wait'], env: { ENS_TEST_MARK: mark } }),
      ),
    );
    await r.s.waitRecord('all units ready', (x) => x.msg === 'all units ready');
    const reaper = Number((await r.s.waitRecord('running', (x) => x.msg === 'supervisor running')).reaperPid);
    expect(isAlive(reaper)).toBe(true);
    const escaped = await waitFor('six clean daemons', () => {
      const found = r.marked().filter(cleanEnvironment);
      return found.length === 6 ? found : null;
    });
    // Both at once: nothing of the first supervisor can clean up.
    process.kill(reaper, 'SIGKILL');
    process.kill(r.s.pid, 'SIGKILL');
    await r.s.exited;
    await waitFor('the reaper to be gone', () => !isAlive(reaper));
    expect(escaped.every(isAlive)).toBe(true);
    expect(instanceDirs(r.s.pid).some((dir) => existsSync(dir))).toBe(true);
    // Same ensemble (same runtime directory id), no units of its own: it must kill what is left.
    const next = spawnPlanSupervisor(r.h, [makeUnitSpec({ name: 'other', command: 'sleep', args: ['1000'] })]);
    cleanups.push(() => next.kill());
    await next.waitRecord('all units ready', (x) => x.msg === 'all units ready');
    await waitFor('the predecessor processes to be gone', () => escaped.every((pid) => !isAlive(pid)), { timeoutMs: 15_000 });
    expect(instanceDirs(r.s.pid).every((dir) => !existsSync(dir))).toBe(true);
    next.process.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});

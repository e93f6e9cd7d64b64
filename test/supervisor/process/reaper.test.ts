// The orphan reaper (a POSIX sh script) on real cgroups: at the end of its input (the
// supervisor died, or closed it) it empties every unit cgroup below the directories it was
// given — also processes in a new session and a fork storm — and removes those cgroups.
// cgroup v1 through the machine's hierarchies; cgroup v2 through a unified mount when the
// machine has one (a hybrid host's /sys/fs/cgroup/unified has no controllers: tracking only).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimitsEnforcer, type DetectedLimitsEnforcer } from '../../../src/health/limits-enforcer.js';
import { Reaper } from '../../../src/supervisor/process/reaper.js';
import { enterCgroupCommand, type UnitCgroup } from '../../../src/supervisor/process/unit-cgroup.js';
import { isAlive, killPids, pidsWithEnv } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
const ROOT = process.getuid?.() === 0;
const V1 = ROOT && writable('/sys/fs/cgroup/memory/cgroup.procs');
const UNIFIED = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'].find((dir) => ROOT && existsSync(`${dir}/cgroup.controllers`) && writable(`${dir}/cgroup.procs`));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let n = 0;
function setUp(root?: string): { enforcer: DetectedLimitsEnforcer; reaper: Reaper; mark: string; notes: string[] } {
  const notes: string[] = [];
  const enforcer = createLimitsEnforcer({ instance: `reapertest${++n}-${process.pid}`, log: (m) => notes.push(m), ...(root ? { root } : {}) });
  const reaper = new Reaper();
  reaper.start();
  const mark = `ENS_TEST_MARK=reaper-${process.pid}-${n}`;
  cleanups.push(async () => {
    reaper.close();
    killPids(pidsWithEnv(mark));
    await waitFor('marked processes gone', () => pidsWithEnv(mark).length === 0);
    for (const unit of ['a', 'b', 'storm']) await enforcer.release(unit).catch(() => undefined);
  });
  return { enforcer, reaper, mark, notes };
}

/** Start `script` in `cgroup` the way a unit is started (joins before it executes), in its own session. */
function startIn(cgroup: UnitCgroup, script: string, mark: string): number {
  const { file, args } = enterCgroupCommand(cgroup, 'sh', ['-c', script]);
  const child = spawn(file, args, { detached: true, stdio: 'ignore', env: { ...process.env, [mark.split('=')[0] as string]: mark.split('=')[1] } });
  child.unref();
  return child.pid as number;
}

async function expectReaped(enforcer: DetectedLimitsEnforcer, reaper: Reaper, cgroups: UnitCgroup[], mark: string): Promise<void> {
  const reaperPid = reaper.pid as number;
  reaper.close();
  await waitFor('every marked process to be gone', () => pidsWithEnv(mark).length === 0, { timeoutMs: 15_000, intervalMs: 20 });
  await waitFor('the reaper to exit', () => !isAlive(reaperPid));
  for (const cgroup of cgroups) for (const dir of cgroup.dirs) expect(existsSync(dir)).toBe(false);
  for (const dir of enforcer.instanceDirs()) expect(existsSync(dir)).toBe(false);
}

describe.runIf(V1)('reaper on cgroup v1', () => {
  it('empties every unit cgroup below its directories: new sessions and a fork storm under a pids limit', async () => {
    const { enforcer, reaper, mark } = setUp();
    for (const dir of enforcer.instanceDirs()) reaper.trackCgroupParent(dir);
    const a = (await enforcer.place('a', {})) as UnitCgroup;
    const storm = (await enforcer.place('storm', { pids: 64 })) as UnitCgroup;
    expect(a.mechanism).toBe('cgroup-v1');
    const main = startIn(a, 'setsid sleep 1000 & setsid sh -c "sleep 1000 & exit 0"; exec sleep 1000', mark);
    startIn(storm, 'while :; do sleep 1000 & done', mark);
    await waitFor('the escaped daemons', () => pidsWithEnv(mark).length >= 5);
    expect(readFileSync(`/proc/${main}/cgroup`, 'utf8')).toMatch(/\/a\.unit$/m);
    await expectReaped(enforcer, reaper, [a, storm], mark);
  }, 60_000);
});

describe.runIf(UNIFIED !== undefined)('reaper and unit cgroups on cgroup v2', () => {
  it('a unit gets a cgroup even without controllers (tracking), limits fall back to sampling, and the reaper empties it (cgroup.kill)', async () => {
    const { enforcer, reaper, mark, notes } = setUp(UNIFIED);
    for (const dir of enforcer.instanceDirs()) reaper.trackCgroupParent(dir);
    const a = (await enforcer.place('a', {})) as UnitCgroup;
    expect(a).not.toBeNull();
    expect(a.mechanism).toBe('cgroup-v2');
    const b = (await enforcer.place('b', { memoryBytes: 64 * 1024 * 1024 })) as UnitCgroup;
    expect(b).not.toBeNull();
    const pid = startIn(b, 'setsid sleep 1000 & exec sleep 1000', mark);
    const offered = readFileSync(`${UNIFIED}/cgroup.controllers`, 'utf8');
    if (!offered.includes('memory')) {
      // This host's unified mount has no memory controller: the limit is sampled, the cgroup still tracks.
      expect(await enforcer.apply('b', pid, { memoryBytes: 64 * 1024 * 1024 })).toBe('sampling');
      expect(notes.some((x) => x.startsWith('resource limits are enforced by sampling, not cgroups: cgroup v2'))).toBe(true);
      expect(b.oomReason).toBeNull();
    }
    startIn(a, 'setsid sh -c "sleep 1000 & exit 0"; exec sleep 1000', mark);
    await waitFor('the processes', () => pidsWithEnv(mark).length >= 4);
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(/^0::.*\/b\.unit$/m);
    expect(await enforcer.pids('b')).toContain(pid);
    await expectReaped(enforcer, reaper, [a, b], mark);
  }, 60_000);
});

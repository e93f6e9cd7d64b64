import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimitsEnforcer } from '../../src/health/limits-enforcer.js';
import type { DetectedLimitsEnforcer } from '../../src/health/limits-enforcer.js';
import { ResourceSampler } from '../../src/health/resource-sampler.js';
import { sampledLimitViolation } from '../../src/health/sampled-limits.js';
import { startProcessTree } from './process-tree.js';
import type { ProcessTreeFixture } from './process-tree.js';
import { isAlive } from '../helpers/processes.js';
import { makeTempDir } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

const MIB = 1024 * 1024;
const cleanups: (() => Promise<unknown> | void)[] = [];
let instances = 0;

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** cgroup v1 or v2 writable here (root on a machine with cgroupfs): the kernel tests run. */
function cgroupsWritable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    accessSync('/sys/fs/cgroup/memory/cgroup.procs', constants.W_OK);
    return true;
  } catch {
    return existsSync('/sys/fs/cgroup/cgroup.controllers');
  }
}

/** A hybrid machine's cgroup v2 mount at /sys/fs/cgroup/unified without memory, cpu and pids (as here). */
function unifiedWithoutControllers(): boolean {
  try {
    const offered = readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').split(/\s+/);
    return !offered.some((c) => c === 'memory' || c === 'cpu' || c === 'pids');
  } catch {
    return false;
  }
}

function enforcer(options: Parameters<typeof createLimitsEnforcer>[0] = {}): { e: DetectedLimitsEnforcer; notes: string[] } {
  const notes: string[] = [];
  const e = createLimitsEnforcer({ instance: `test${++instances}-${process.pid}`, log: (m) => notes.push(m), ...options });
  return { e, notes };
}

/** Spawn a real process in its own group that waits for a line on stdin before doing `script`'s work. */
function spawnWaiting(command: string, args: string[]): ChildProcess & { stderrText: () => string } {
  const child = spawn(command, args, { detached: true, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  cleanups.push(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone
    }
  });
  return Object.assign(child, { stderrText: () => stderr });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe.runIf(cgroupsWritable())('limits by cgroups (real kernel)', () => {
  it('detects the cgroup version and puts the process in the unit cgroup of every hierarchy', async () => {
    const { e } = enforcer();
    const child = spawnWaiting('sleep', ['600']);
    const v1 = existsSync('/sys/fs/cgroup/memory/cgroup.procs');
    expect(await e.detect()).toEqual({ mechanism: v1 ? 'cgroup-v1' : 'cgroup-v2', reason: null });
    cleanups.push(() => e.release('probe-unit'));
    expect(await e.apply('probe-unit', child.pid as number, { memoryBytes: 64 * MIB, cpuPercent: 50, pids: 16 })).toBe(v1 ? 'cgroup-v1' : 'cgroup-v2');
    expect(e.mechanismOf('probe-unit')).toBe(v1 ? 'cgroup-v1' : 'cgroup-v2');
    expect(await e.pids('probe-unit')).toEqual([child.pid]);
    const membership = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8');
    const dirs = e.cgroupDirs('probe-unit');
    for (const dir of dirs) expect(existsSync(dir)).toBe(true);
    if (v1) {
      for (const controller of ['memory', 'cpu', 'pids']) expect(membership).toMatch(new RegExp(`:${controller}:.*/ensemble/test\\d+-${process.pid}/probe-unit\\.unit$`, 'm'));
      const cpuDir = dirs.find((d) => d.includes('/cpu/')) as string;
      expect(readFileSync(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');
      expect(readFileSync(join(cpuDir, 'cpu.cfs_period_us'), 'utf8').trim()).toBe('100000');
      const memoryDir = dirs.find((d) => d.includes('/memory/')) as string;
      expect(Number(readFileSync(join(memoryDir, 'memory.limit_in_bytes'), 'utf8'))).toBe(64 * MIB);
      const pidsDir = dirs.find((d) => d.includes('/pids/')) as string;
      expect(readFileSync(join(pidsDir, 'pids.max'), 'utf8').trim()).toBe('16');
    } else {
      expect(readFileSync(join(dirs[0] as string, 'cpu.max'), 'utf8').trim()).toBe('50000 100000');
    }
    await e.release('probe-unit');
    await waitFor('release to kill what was left in the cgroup', () => !isAlive(child.pid as number));
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(e.mechanismOf('probe-unit')).toBeNull();
    // The instance parents go with the last unit.
    for (const dir of dirs) expect(existsSync(join(dir, '..'))).toBe(false);
  });

  it('place makes the cgroup with its limits before any process: the needed hierarchies, else one to track', async () => {
    const { e } = enforcer();
    const v1 = existsSync('/sys/fs/cgroup/memory/cgroup.procs');
    cleanups.push(() => e.release('limited'));
    cleanups.push(() => e.release('plain'));
    const limited = await e.place('limited', { memoryBytes: 64 * MIB, pids: 16 });
    const plain = await e.place('plain', {});
    expect(limited?.mechanism).toBe(v1 ? 'cgroup-v1' : 'cgroup-v2');
    expect(limited?.oomReason).toBe('memory limit 64 MiB (OOM)');
    expect(plain?.oomReason).toBeNull();
    for (const dir of [...(limited?.dirs ?? []), ...(plain?.dirs ?? [])]) {
      expect(existsSync(dir)).toBe(true);
      expect(readFileSync(join(dir, 'cgroup.procs'), 'utf8')).toBe('');
    }
    if (v1) {
      expect(limited?.dirs.map((d) => d.split('/')[4]).sort()).toEqual(['memory', 'pids']);
      expect(plain?.dirs.map((d) => d.split('/')[4])).toEqual(['pids']);
      const pidsDir = limited?.dirs.find((d) => d.includes('/pids/')) as string;
      expect(readFileSync(join(pidsDir, 'pids.max'), 'utf8').trim()).toBe('16');
    }
    // The reaper is told these before the first unit cgroup exists.
    for (const dir of limited?.dirs ?? []) expect(e.instanceDirs().some((parent) => dir.startsWith(`${parent}/`))).toBe(true);
    // apply after a place only records the process (it entered the cgroup itself, see unit-cgroup.ts).
    const child = spawnWaiting('sleep', ['600']);
    expect(await e.apply('plain', child.pid as number, {})).toBe('none');
    expect(readFileSync(`/proc/${child.pid}/cgroup`, 'utf8')).not.toContain('plain.unit');
    await e.release('limited');
    for (const dir of limited?.dirs ?? []) expect(existsSync(dir)).toBe(false);
  });

  it('a memory hog over its limit is killed by the kernel (OOM) and counted', async () => {
    const { e } = enforcer();
    const hog = spawnWaiting(process.execPath, ['-e', "process.stdin.once('data', () => { const a = []; for (;;) a.push(Buffer.alloc(16 * 1024 * 1024, 1)); })"]);
    cleanups.push(() => e.release('hog'));
    await e.apply('hog', hog.pid as number, { memoryBytes: 96 * MIB });
    const exit = exited(hog);
    hog.stdin?.write('go\n');
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await e.oomKills('hog')).toBeGreaterThanOrEqual(1);
  });

  it('pids.max makes forks beyond the limit fail', async () => {
    const { e } = enforcer();
    const shell = spawnWaiting('sh', ['-c', 'read go; i=0; while [ $i -lt 20 ]; do sleep 600 & i=$((i+1)); done; echo spawned >&2; wait']);
    cleanups.push(() => e.release('forker'));
    await e.apply('forker', shell.pid as number, { pids: 6 });
    shell.stdin?.write('go\n');
    await waitFor('the loop to finish', () => shell.stderrText().includes('spawned') || shell.exitCode !== null);
    expect(shell.stderrText()).toMatch(/fork/i);
    const members = await e.pids('forker');
    expect(members.length).toBeGreaterThan(1);
    expect(members.length).toBeLessThanOrEqual(6);
    const dirs = e.cgroupDirs('forker');
    await e.release('forker');
    for (const pid of members) await waitFor(`leftover ${pid} to be killed by release`, () => !isAlive(pid));
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  it('moves children forked before apply into the cgroup too', async () => {
    const { e } = enforcer();
    const fixture: ProcessTreeFixture = await startProcessTree(4);
    cleanups.push(() => fixture.kill());
    cleanups.push(() => e.release('tree'));
    await e.apply('tree', fixture.parent.pid as number, { memoryBytes: 512 * MIB });
    expect(await e.pids('tree')).toEqual([fixture.parent.pid, fixture.childPid].sort((a, b) => (a as number) - (b as number)));
  });

  it('a failed apply leaves no cgroup behind and says why', async () => {
    const { e } = enforcer();
    const gone = spawnWaiting('true', []);
    await exited(gone);
    await waitFor('the process to be reaped', () => !isAlive(gone.pid as number));
    const error = await e.apply('ghost', gone.pid as number, { memoryBytes: 64 * MIB }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ENS_E_LIMITS', message: `ghost: process ${gone.pid} exited before its limits were applied` });
    for (const dir of e.cgroupDirs('ghost')) expect(existsSync(dir)).toBe(false);
    expect(e.mechanismOf('ghost')).toBeNull();
  });
});

describe('limits by sampling (cgroups not writable)', () => {
  async function tempRoot(): Promise<string> {
    const scratch = makeTempDir('ensemble-cgroup-');
    cleanups.push(scratch.cleanup);
    return scratch.dir;
  }

  it('falls back to sampling without a cgroup filesystem, logs it once, and cpu is reported unenforced', async () => {
    const root = await tempRoot();
    const { e, notes } = enforcer({ root });
    expect(await e.detect()).toEqual({ mechanism: 'sampling', reason: `no cgroup filesystem at ${root}` });
    const fixture = await startProcessTree(4);
    cleanups.push(() => fixture.kill());
    expect(await e.apply('a', fixture.parent.pid as number, { memoryBytes: 64 * MIB, cpuPercent: 50 })).toBe('sampling');
    expect(await e.apply('b', fixture.childPid, { pids: 10 })).toBe('sampling');
    expect(await e.apply('c', fixture.childPid, { cpuPercent: 10 })).toBe('none');
    expect(await e.apply('d', fixture.childPid, {})).toBe('none');
    expect(notes).toEqual([`resource limits are enforced by sampling, not cgroups: no cgroup filesystem at ${root}`, 'cpu limits cannot be enforced by sampling and are not enforced (first: unit a, cpu 50%)']);
    expect(await e.pids('a')).toEqual([fixture.parent.pid, fixture.childPid].sort((x, y) => (x as number) - (y as number)));
    expect(e.cgroupDirs('a')).toEqual([]);
    await e.release('a');
    expect(e.mechanismOf('a')).toBeNull();
  });

  it('falls back to sampling when the cgroup hierarchy cannot be written', async () => {
    const root = await tempRoot();
    // A v1-looking layout whose `ensemble` parent cannot be created (a file is in the way).
    await mkdir(join(root, 'memory'));
    await writeFile(join(root, 'memory', 'cgroup.procs'), '');
    await writeFile(join(root, 'memory', 'ensemble'), 'not a directory');
    const { e } = enforcer({ root });
    const detected = await e.detect();
    expect(detected.mechanism).toBe('sampling');
    expect(detected.reason).toMatch(/^cgroup v1 memory hierarchy is not writable \((ENOTDIR|EEXIST)/);
  });

  it.runIf(unifiedWithoutControllers())(
    'falls back to sampling on a real cgroup v2 mount that offers no controllers, creating nothing',
    async () => {
      const root = '/sys/fs/cgroup/unified';
      const { e } = enforcer({ root });
      const detected = await e.detect();
      expect(detected.mechanism).toBe('sampling');
      expect(detected.reason).toMatch(/^cgroup v2 offers none of memory, cpu, pids in /);
      expect(existsSync(join(root, 'ensemble'))).toBe(false);
    },
  );

  it('sampledLimitViolation names the limit a real memory hog exceeds', async () => {
    const fixture = await startProcessTree(96);
    cleanups.push(() => fixture.kill());
    const sample = await new ResourceSampler().sample(fixture.parent.pid as number);
    expect(sample).not.toBeNull();
    if (sample === null) return;
    expect(sampledLimitViolation(sample, { memoryBytes: 64 * MIB })).toMatch(/^memory \d+(\.\d)? MiB exceeds limit 64 MiB$/);
    expect(sampledLimitViolation(sample, { memoryBytes: 4096 * MIB })).toBeNull();
    expect(sampledLimitViolation(sample, { pids: 1 })).toMatch(/^pids \d+ exceeds limit 1$/);
    expect(sampledLimitViolation(sample, { cpuPercent: 1 })).toBeNull();
    expect(sampledLimitViolation({ cpuPercent: 0, memoryBytes: 96.5 * MIB, processes: 1 }, { memoryBytes: 64 * MIB })).toBe('memory 96.5 MiB exceeds limit 64 MiB');
  });
});

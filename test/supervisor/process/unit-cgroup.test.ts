// Issue 12 #6: every unit runs in its own cgroup by default (no limits needed), so a program
// that detaches (setsid, double fork) is still the unit's: stop empties the cgroup, and when
// the main process ends while processes of the unit remain, the status (ps) says so while
// they are stopped. Real supervisor, real cgroups, real daemonizing fixture.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimitsEnforcer } from '../../../src/health/limits-enforcer.js';
import { fixture, makeUnitSpec } from '../../helpers/make-unit-spec.js';
import { isAlive, killPids, pidsWithEnv } from '../../helpers/processes.js';
import { REPO_ROOT, spawnPlanSupervisor, TSX_LOADER, type SupervisorChild } from '../../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';

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

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function start(units: Parameters<typeof spawnPlanSupervisor>[1], mark: string): { h: TempHome; s: SupervisorChild } {
  const h = makeTempHome();
  const s = spawnPlanSupervisor(h, units);
  cleanups.push(() => {
    s.kill();
    killPids(pidsWithEnv(mark));
    h.cleanup();
  });
  return { h, s };
}

/** The session id of `pid` (field 6 of /proc/PID/stat). */
function sessionOf(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[3]);
}

/** `supervisor ps` (the real CLI, text). */
async function ps(s: SupervisorChild): Promise<string> {
  // The API starts while the units start: a unit may be done before the socket is there.
  const running = await s.waitRecord('supervisor running', (r) => r.msg === 'supervisor running');
  const socket = join(String(running.runtimeDir), 'api.sock');
  await waitFor('the API socket', () => existsSync(socket), { timeoutMs: 60_000 });
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', TSX_LOADER, join(REPO_ROOT, 'src/cli/main.ts'), 'ps', '--supervisor', `unix:${socket}`], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`ps failed: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

/** The marked `sleep` of the unit that runs in a session of its own (the detached daemon). */
function escapedDaemon(mark: string, mainPid: number): Promise<number> {
  const comm = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  return waitFor('the detached daemon', () => pidsWithEnv(mark).find((pid) => pid !== mainPid && comm(pid) === 'sleep' && sessionOf(pid) !== mainPid) ?? null);
}

describe.runIf(CGROUPS)('units in their own cgroup (cgroups writable here)', () => {
  it('a double-forked daemon is in its unit cgroup, and stop kills it before the unit is stopped', async () => {
    const tag = randomBytes(6).toString('hex');
    const mark = `ENS_TEST_MARK=cg-${tag}`;
    const { s } = start([makeUnitSpec({ name: 'd', command: fixture('unit-daemonize.sh'), env: { ENS_TEST_MARK: `cg-${tag}` }, stop: { timeoutMs: 2000 } })], mark);
    await s.waitRecord('all units ready', (r) => r.msg === 'all units ready');
    const main = s.unitPids()[0] as number;
    const daemon = await escapedDaemon(mark, main);
    expect(sessionOf(daemon)).not.toBe(main);
    expect(readFileSync(`/proc/${daemon}/cgroup`, 'utf8')).toContain('/d.unit');
    // No limits were set: the cgroup is for tracking.
    expect(s.records.some((r) => typeof r.msg === 'string' && r.msg.startsWith('limits applied'))).toBe(false);
    s.process.kill('SIGTERM');
    await s.waitRecord('d stopped', (r) => r.unit === 'd' && r.state === 'stopped');
    expect(isAlive(daemon)).toBe(false);
    expect(await s.exited).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('when the main process exits and a daemon of it remains, ps says so; the daemon is stopped (SIGKILL after the timeout)', async () => {
    const tag = randomBytes(6).toString('hex');
    const mark = `ENS_TEST_MARK=cg-${tag}`;
    const { s } = start(
      [
        makeUnitSpec({
          name: 'd',
          command: fixture('unit-daemonize.sh'),
          args: ['exit', 'stubborn'],
          env: { ENS_TEST_MARK: `cg-${tag}` },
          restart: { policy: 'never' },
          stop: { timeoutMs: 8000 },
        }),
        makeUnitSpec({ name: 'idle', command: 'sleep', args: ['1000'] }),
      ],
      mark,
    );
    const remaining = await s.waitRecord('the remaining note', (r) => r.unit === 'd' && r.event === 'remaining');
    expect(remaining.msg).toMatch(/^main process exited with code 0; 1 process remains of the unit \(pid \d+\): SIGTERM, SIGKILL after 8s$/);
    const daemon = Number(/\(pid (\d+)\)/.exec(String(remaining.msg))?.[1]);
    expect(isAlive(daemon)).toBe(true);
    // The unit is not reported stopped while its daemon runs: stopping, and ps shows why.
    expect(s.transitions('d')).toEqual(['starting', 'ready', 'stopping']);
    const text = await ps(s);
    expect(text).toMatch(/^d +stopping +- .* main exited with code 0, 1 process remains$/m);
    await s.waitRecord('d stopped', (r) => r.unit === 'd' && r.state === 'stopped', 60_000);
    expect(isAlive(daemon)).toBe(false);
  }, 120_000);
});

describe.runIf(CGROUPS)('stopping a fork storm that ignores SIGTERM (cgroups writable here)', () => {
  it('stop ends with the cgroup empty: SIGKILL is repeated until no process is left', async () => {
    const tag = randomBytes(6).toString('hex');
    const mark = `ENS_TEST_MARK=cg-${tag}`;
    const { s } = start(
      [
        makeUnitSpec({
          name: 'storm',
          command: 'sh',
          args: ['-c', "trap '' TERM; while :; do setsid sleep 1000 & done"],
          env: { ENS_TEST_MARK: `cg-${tag}` },
          limits: { pids: 64 },
          stop: { timeoutMs: 1000 },
        }),
      ],
      mark,
    );
    await s.waitRecord('all units ready', (r) => r.msg === 'all units ready');
    await waitFor('the storm at its pids limit', () => pidsWithEnv(mark).length >= 60);
    s.process.kill('SIGTERM');
    await s.waitRecord('storm stopped', (r) => r.unit === 'storm' && r.state === 'stopped', 60_000);
    expect(pidsWithEnv(mark)).toEqual([]);
    expect(await s.exited).toEqual({ code: 0, signal: null });
  }, 120_000);
});

describe('without a writable cgroup', () => {
  it('says once which processes are not tracked, and units still start (process groups only)', async () => {
    const notes: string[] = [];
    const enforcer = createLimitsEnforcer({ root: '/nonexistent-cgroup-root', instance: `test-${process.pid}`, log: (m) => notes.push(m) });
    expect(await enforcer.place('a', {})).toBeNull();
    expect(await enforcer.place('b', { memoryBytes: 64 * 1024 * 1024 })).toBeNull();
    expect(await enforcer.apply('b', process.pid, { memoryBytes: 64 * 1024 * 1024 })).toBe('sampling');
    const untracked = notes.filter((n) => n.includes('not tracked'));
    expect(untracked).toHaveLength(1);
    expect(untracked[0]).toMatch(/^units run without their own cgroup \(no cgroup filesystem at \/nonexistent-cgroup-root\): processes that leave a unit's process group \(setsid, double fork\) are not tracked/);
    await enforcer.release('b');
  });
});

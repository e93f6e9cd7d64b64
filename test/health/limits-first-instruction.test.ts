// Issue 12 #7 and #8: a unit's process enters its cgroup before it executes its program, so
// limits bound a program that forks or allocates at once; a unit killed by its memory limit
// says so (state error, its log, ps). Real supervisor, real cgroups, C fixtures compiled here.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, makeUnitSpec } from '../helpers/make-unit-spec.js';
import { killPids, pidsWithEnv } from '../helpers/processes.js';
import { spawnPlanSupervisor, type SupervisorChild } from '../helpers/supervisor-child.js';
import { makeTempDir, makeTempHome, type TempDir, type TempHome } from '../helpers/temp-home.js';
import { runCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

// The language reads `50MB` as 50 MiB (1024-based, like systemd and docker).
const MB = 1024 * 1024;

function cgroupsWritable(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    accessSync('/sys/fs/cgroup/memory/cgroup.procs', constants.W_OK);
    return true;
  } catch {
    return existsSync('/sys/fs/cgroup/cgroup.controllers');
  }
}

let scratch: TempDir | undefined;
let bin = '';
beforeAll(() => {
  scratch = makeTempDir('ens-cfix-');
  bin = scratch.dir;
  for (const name of ['fork-many', 'alloc-at-once']) execFileSync('gcc', ['-O0', '-o', join(bin, name), fixture(`${name}.c`)]);
});
afterAll(() => scratch?.cleanup());

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

async function ps(s: SupervisorChild): Promise<string> {
  // The API starts while the units start: a unit may be done before the socket is there.
  const running = await s.waitRecord('supervisor running', (r) => r.msg === 'supervisor running');
  const socket = join(String(running.runtimeDir), 'api.sock');
  await waitFor('the API socket', () => existsSync(socket), { timeoutMs: 60_000 });
  const r = await runCli(['ps', '--supervisor', `unix:${socket}`], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`ps failed (exit ${r.code}): ${r.stderr}`);
  return r.stdout;
}

describe.runIf(cgroupsWritable())('limits hold from the first instruction (cgroups writable here)', () => {
  it('pids: 32 on a program that forks 300 children at once: at most 31 forks succeed', async () => {
    const tag = `lim-${randomBytes(6).toString('hex')}`;
    const { s } = start([makeUnitSpec({ name: 'forker', command: join(bin, 'fork-many'), args: ['300'], env: { ENS_TEST_MARK: tag }, limits: { pids: 32 } })], `ENS_TEST_MARK=${tag}`);
    const line = await s.waitRecord('the fork count', (r) => r.unit === 'forker' && r.stream === 'stdout' && /^forked \d+ of 300$/.test(String(r.msg)));
    const forked = Number(/^forked (\d+)/.exec(String(line.msg))?.[1]);
    expect(forked).toBeLessThanOrEqual(31);
    expect(forked).toBeGreaterThan(0);
    expect(pidsWithEnv(`ENS_TEST_MARK=${tag}`).length).toBeLessThanOrEqual(32);
    expect(s.records.find((r) => r.unit === 'forker' && typeof r.msg === 'string' && r.msg.startsWith('limits applied'))?.msg).toMatch(/^limits applied \(cgroup-v[12]\)$/);
  }, 120_000);

  it('memory: 50MB on a program that allocates 400 MB at once: OOM-killed before it runs on, reported as the memory limit', async () => {
    const tag = `lim-${randomBytes(6).toString('hex')}`;
    const { s } = start(
      [
        makeUnitSpec({ name: 'hog', command: join(bin, 'alloc-at-once'), args: ['400'], env: { ENS_TEST_MARK: tag }, limits: { memoryBytes: 50 * MB }, restart: { policy: 'never' } }),
        makeUnitSpec({ name: 'idle', command: 'sleep', args: ['1000'] }),
      ],
      `ENS_TEST_MARK=${tag}`,
    );
    const stopped = await s.waitRecord('hog stopped', (r) => r.unit === 'hog' && r.event === 'state' && r.state === 'stopped');
    expect(stopped.msg).toBe('killed: memory limit 50 MiB (OOM); not restarted (restart policy never)');
    expect(s.records.some((r) => r.unit === 'hog' && r.stream === 'stdout' && String(r.msg).startsWith('allocated'))).toBe(false);
    expect(await ps(s)).toMatch(/^hog +stopped .* killed: memory limit 50 MiB \(OOM\)$/m);
  }, 120_000);
});

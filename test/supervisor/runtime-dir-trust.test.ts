import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertTrustedRuntimeDir } from '../../src/supervisor/runtime-dir-trust.js';
import { runtimePaths, type RuntimePaths } from '../../src/common/runtime-dir.js';
import { killPids, pidsWithEnv } from '../helpers/processes.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue 12 row 12: a non-root operator whose default runtime directory was
// pre-created by another user. The supervisor and the CLI run for real as
// `nobody` (setpriv); the "other user" is uid 1 (daemon), whose directories
// the test makes as root.
const NOBODY = 65534;
const OTHER = 1;
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

let base: string;
let env: NodeJS.ProcessEnv;
let started: ChildProcess[] = [];

/** The runtime base `nobody` uses by default: `<tmpdir>/ensemble-65534` (TMPDIR points into the test dir). */
const runtimeBase = (): string => join(base, 'tmp', `ensemble-${NOBODY}`);

/** The paths `nobody` computes (this test runs as root, whose default base differs). */
const nobodyPaths = (): RuntimePaths => runtimePaths(join(base, 'system.ensemble'), { ...env, ENSEMBLE_RUNTIME_HOME: runtimeBase() });

function asNobody(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, ...args], {
    cwd: base,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'enstrust-'));
  chmodSync(base, 0o755);
  // Like /tmp: root-owned, sticky, writable by everyone.
  mkdirSync(join(base, 'tmp'));
  chmodSync(join(base, 'tmp'), 0o1777);
  mkdirSync(join(base, 'state'));
  chownSync(join(base, 'state'), NOBODY, NOBODY);
  writeFileSync(join(base, 'system.ensemble'), 'runner sleeper "/bin/sleep" { arguments: ["1000"] }\n', { mode: 0o644 });
  env = { PATH: process.env.PATH, HOME: base, TMPDIR: join(base, 'tmp'), ENSEMBLE_STATE_HOME: join(base, 'state') };
});

afterEach(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started = [];
  killPids(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${nobodyPaths().apiAddress}`));
  rmSync(base, { recursive: true, force: true });
});

describe('runtime directory trust (not root)', () => {
  it('refuses a default runtime directory pre-created 0777 by another user, in one line, and creates no socket there', () => {
    mkdirSync(runtimeBase());
    chownSync(runtimeBase(), OTHER, OTHER);
    chmodSync(runtimeBase(), 0o777);
    const r = asNobody(['run', 'system.ensemble', '--no-fs']);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`refusing the runtime directory ${runtimeBase()}`);
    expect(lines[0]).toContain('owner uid 1');
    expect(lines[0]).toContain('mode 0777');
    expect(lines[0]).toContain('ENSEMBLE_RUNTIME_HOME');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(spawnSync('find', [runtimeBase(), '-name', 'api.sock']).stdout.toString()).toBe('');
  });

  it('refuses its own runtime directory when it is writable by others, saying how to fix it', () => {
    mkdirSync(runtimeBase());
    chownSync(runtimeBase(), NOBODY, NOBODY);
    chmodSync(runtimeBase(), 0o777);
    const r = asNobody(['run', 'system.ensemble', '--no-fs']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('(owner uid 65534 (nobody), mode 0777): it must not be writable by group or others');
    expect(r.stderr).toContain(`chmod go-w ${runtimeBase()}`);
  });

  it('client verbs refuse to dial through a runtime directory that another user took over', async () => {
    const paths = nobodyPaths();
    const supervisor = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, 'run', 'system.ensemble', '--no-fs', '--log-format', 'json'], {
      cwd: base,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(supervisor);
    let output = '';
    supervisor.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    supervisor.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('the supervisor socket', () => {
      if (supervisor.exitCode !== null) throw new Error(`supervisor exited: ${output}`);
      return existsSync(paths.apiSocket);
    }, { timeoutMs: 60_000 });
    expect(paths.apiSocket.startsWith(runtimeBase())).toBe(true);
    const ok = asNobody(['ps']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('sleeper');

    // Another user (here root acting for uid 1) opens the base directory to everyone.
    chmodSync(runtimeBase(), 0o777);
    const refused = asNobody(['ps']);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`refusing the runtime directory ${runtimeBase()} (owner uid 65534 (nobody), mode 0777)`);

    chmodSync(runtimeBase(), 0o700);
    expect(asNobody(['ps']).stdout).toContain('sleeper');
    supervisor.kill('SIGTERM');
    await new Promise((resolve) => supervisor.once('exit', resolve));
  }, 180_000);
});

describe('assertTrustedRuntimeDir', () => {
  it('names an ancestor that others can write into (not sticky), and accepts a root-owned sticky one like /tmp', () => {
    const root = mkdtempSync(join(tmpdir(), 'enstrust-'));
    try {
      const shared = join(root, 'shared');
      mkdirSync(join(shared, 'home', 'sys-1'), { recursive: true, mode: 0o700 });
      chmodSync(shared, 0o777);
      chownSync(join(shared, 'home'), NOBODY, NOBODY);
      chownSync(join(shared, 'home', 'sys-1'), NOBODY, NOBODY);
      expect(() => assertTrustedRuntimeDir({ runtimeDir: join(shared, 'home', 'sys-1') }, NOBODY)).toThrow(
        `refusing the runtime directory ${shared} (owner uid 0 (root), mode 0777): it must not be writable by group or others (unless root-owned and sticky, like /tmp)`,
      );
      chmodSync(shared, 0o1777);
      expect(() => assertTrustedRuntimeDir({ runtimeDir: join(shared, 'home', 'sys-1') }, NOBODY)).not.toThrow();
      chownSync(join(shared, 'home', 'sys-1'), OTHER, OTHER);
      expect(() => assertTrustedRuntimeDir({ runtimeDir: join(shared, 'home', 'sys-1') }, NOBODY)).toThrow(/sys-1 \(owner uid 1 .*\): it must belong to uid 65534/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

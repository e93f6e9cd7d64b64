import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/common/atomic-write.js';
import { runtimePaths } from '../../src/common/runtime-dir.js';
import { RotatingLogFile } from '../../src/supervisor/logs/rotating-log-file.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { runEnsemble, type EnsembleRun } from '../helpers/run-ensemble.js';

// Issue 12 row 13, on real 1 MiB tmpfs mounts (filled, or remounted read-only).
const mounts: Tmpfs[] = [];
const homes: TempHome[] = [];
const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
  for (const m of mounts.splice(0)) m.unmount();
  for (const h of homes.splice(0)) h.cleanup();
});

function tmpfs(): Tmpfs {
  const m = mountTmpfs('1m');
  mounts.push(m);
  return m;
}

describe('a read-only state directory', () => {
  it('stops `supervisor run` with one line naming the state directory and EROFS', () => {
    const home = makeTempHome();
    homes.push(home);
    const ro = tmpfs();
    ro.remount('ro');
    home.write('system.ensemble', 'runner sleeper "/bin/sleep" { arguments: ["1000"] }\n');
    const env = { ...home.env, ENSEMBLE_STATE_HOME: join(ro.dir, 'state') };
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'run', 'system.ensemble', '--no-fs'], {
      cwd: home.dir,
      env: { ...process.env, ...env, ENSEMBLE_SUPERVISOR: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    const stateDir = runtimePaths(home.file, env).stateDir;
    expect(r.stderr.trim()).toBe(`supervisor: cannot create state directory ${stateDir}: read-only file system (EROFS)`);
  });
});

describe('an existing state directory remounted read-only', () => {
  it('is refused with one line naming it and EROFS', () => {
    const home = makeTempHome();
    homes.push(home);
    const m = tmpfs();
    home.write('system.ensemble', 'runner sleeper "/bin/sleep" { arguments: ["1000"] }\n');
    const env = { ...home.env, ENSEMBLE_STATE_HOME: m.dir };
    const stateDir = runtimePaths(home.file, env).stateDir;
    mkdirSync(stateDir, { recursive: true });
    m.remount('ro');
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js'), 'run', 'system.ensemble', '--no-fs'], {
      cwd: home.dir,
      env: { ...process.env, ...env, ENSEMBLE_SUPERVISOR: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`supervisor: cannot write into state directory ${stateDir}: read-only file system (EROFS)`);
  });
});

describe('a full disk', () => {
  it('an atomic write fails with the cause in one line and leaves the old file and no temporary file', () => {
    const m = tmpfs();
    const file = join(m.dir, 'state', 'operator.json');
    writeFileAtomic(file, 'old\n');
    m.fill();
    let error: (Error & { code?: string }) | null = null;
    try {
      writeFileAtomic(file, 'x'.repeat(64 * 1024));
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toBe('no space left on device (ENOSPC)');
    expect(error?.code).toBe('ENOSPC');
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(join(m.dir, 'state'))).toEqual(['operator.json']);
  });

  it('a rotating log file suspends once, drops and counts lines, and resumes once when space returns (backoff)', () => {
    const m = tmpfs();
    let now = 1_000_000;
    const events: string[] = [];
    const path = join(m.dir, 'logs', 'u.log');
    const log = new RotatingLogFile(
      path,
      { maxBytes: 10 * 1024 * 1024, keep: 1 },
      { suspended: (e) => events.push(`suspended: ${e.message}`), resumed: (n) => events.push(`resumed: ${n}`) },
      () => now,
    );
    log.write('before\n');
    m.fill();
    const line = `${'z'.repeat(1000)}\n`;
    for (let i = 0; i < 20; i++) log.write(line);
    expect(log.suspended).toBe(true);
    expect(events).toEqual(['suspended: no space left on device (ENOSPC)']);
    now += 1500; // past the first backoff: a retry, still full
    log.write(line);
    expect(events).toHaveLength(1);
    m.free();
    now += 1000; // the backoff doubled to 2 s: not yet
    log.write('early\n');
    expect(log.suspended).toBe(true);
    now += 1500;
    log.write('after\n');
    expect(log.suspended).toBe(false);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatch(/^resumed: \d+$/);
    log.write('more\n');
    log.close();
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('before\n')).toBe(true);
    expect(text).toContain('"ensemble":"file logging resumed"');
    expect(text.endsWith('after\nmore\n')).toBe(true);
    expect(text).not.toContain('early');
  });

  it('a supervisor whose state directory fills up keeps running, says once that file logging is suspended and once that it resumed', async () => {
    const m = tmpfs();
    const run = await runEnsemble('runner ticker "/bin/sh" { arguments: ["-c", "while :; do echo tick; sleep 0.2; done"] }\n', {
      env: { ENSEMBLE_STATE_HOME: m.dir },
    });
    runs.push(run);
    await run.waitAllReady();
    const logFile = runtimePaths(join(run.home.dir, 'system.ensemble'), { ...run.home.env, ENSEMBLE_STATE_HOME: m.dir }).logDir;
    const file = join(logFile, 'ticker.log');
    await run.waitOutput('tick');
    expect(existsSync(file)).toBe(true);
    m.fill();
    await run.waitOutput(/logging to file is suspended for this unit/, 60_000);
    const sizeWhileFull = statSync(file).size;
    m.free();
    await run.waitOutput(/logging to file resumed for this unit/, 90_000);
    await run.waitUnit('ticker', 'ticker still ready', (u) => u.state === 'ready');
    const out = run.output();
    expect(out.match(/logging to file is suspended/g)).toHaveLength(1);
    expect(out.match(/logging to file resumed/g)).toHaveLength(1);
    expect(out).toContain('no space left on device (ENOSPC)');
    const { waitFor } = await import('../helpers/wait-for.js');
    await waitFor('the log file to grow again', () => statSync(file).size > sizeWhileFull, { timeoutMs: 30_000 });
    expect(readFileSync(file, 'utf8')).toContain('file logging resumed');
  }, 240_000);
});

describe('test helper sanity', () => {
  it('a filled tmpfs refuses even one more byte, and takes it again after free()', () => {
    const m = tmpfs();
    mkdirSync(join(m.dir, 'd'));
    m.fill();
    expect(() => writeFileSync(join(m.dir, 'd', 'x'), 'x')).toThrow(/ENOSPC/);
    m.free();
    writeFileSync(join(m.dir, 'd', 'x'), 'x');
  });
});

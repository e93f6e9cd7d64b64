import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkRunner } from '../helpers/system-harness.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

// The CLI from its sources (through tsx), so the test needs no build.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const main = join(root, 'src/cli/main.ts');
// `--import tsx` by absolute URL: the CLI runs in directories that have no node_modules.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

let home: TempHome;
let runner: ChildProcess;
let runnerExit: Promise<number | null>;
let runnerOutput = '';

function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return runCli(args, { home, cwd: options.cwd, env: options.env, timeoutMs: 60_000 });
}

beforeAll(async () => {
  home = makeTempHome();
  home.write('system.ensemble', sdkRunner('echo', 'sdk-echo.mjs', 'properties { aliases: ["greeter"] }') + `runner crashy "${fixture('unit-crash.mjs')}" {\n  restart { policy: "never" }\n}\n`);
  runner = spawn(process.execPath, ['--import', tsx, main, 'run', 'system.ensemble', '--no-fs', '--log-format', 'json'], {
    cwd: home.dir,
    env: { ...process.env, ...home.env, ENSEMBLE_SUPERVISOR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout!.on('data', (d: Buffer) => (runnerOutput += d.toString()));
  runner.stderr!.on('data', (d: Buffer) => (runnerOutput += d.toString()));
  runnerExit = new Promise((r) => runner.on('exit', (code) => r(code)));
  await waitFor('echo to be ready', async () => {
    if (runner.exitCode !== null) throw new Error(`supervisor run exited: ${runnerOutput}`);
    if (!existsSync(home.paths.apiSocket)) return false;
    const r = await cli(['ps', '--json']);
    return r.code === 0 && (JSON.parse(r.stdout) as { name: string; state: string }[]).some((u) => u.name === 'echo' && u.state === 'ready');
  }, { timeoutMs: 100_000, intervalMs: 250 });
}, 120_000);

afterAll(async () => {
  if (runner?.exitCode === null && runner.signalCode === null) {
    runner.kill('SIGTERM');
    await Promise.race([runnerExit, new Promise((r) => setTimeout(r, 20_000))]);
  }
  home?.cleanup();
});

describe('client verbs against a running `supervisor run`', { timeout: 180_000 }, () => {
  it('ps prints an aligned table with human units and the last error', async () => {
    await waitFor('crashy to have stopped', async () => (await cli(['ps'])).stdout.match(/^crashy\s+(stopped|failed)/m));
    const r = await cli(['ps']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^UNIT\s+STATE\s+PID\s+RESTARTS\s+CPU\s+MEMORY\s+UPTIME\s+ERROR$/);
    const echo = rows.find((l) => l.startsWith('echo'))!;
    expect(echo).toMatch(/^echo\s+ready\s+\d+\s+0\s+(-|\d+\.\d%)\s+(-|\d+(\.\d)? (B|KiB|MiB|GiB))\s+\d+(s|m\d\ds)$/);
    // Columns line up: STATE starts at the same offset in every row.
    const stateAt = header!.indexOf('STATE');
    for (const row of rows) expect(row[stateAt - 1]).toBe(' ');
    expect(rows.find((l) => l.startsWith('crashy'))).toMatch(/^crashy\s+(stopped|failed)\s+-/);
  });

  it('ps --json prints every unit as JSON', async () => {
    const r = await cli(['ps', '--json']);
    expect(r.code).toBe(0);
    const units = JSON.parse(r.stdout) as { name: string; state: string; pid?: number }[];
    expect(units.map((u) => u.name)).toEqual(['echo', 'crashy']);
    expect(units[0]).toMatchObject({ name: 'echo', state: 'ready', pid: expect.any(Number) });
  });

  it('stop, start and restart a unit by name', async () => {
    const stop = await cli(['stop', 'echo']);
    expect(stop).toMatchObject({ code: 0, stdout: 'echo: stopped\n' });
    const start = await cli(['start', 'echo']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/^echo: ready \(pid \d+\)\n$/);
    const restart = await cli(['restart', 'echo']);
    expect(restart.code).toBe(0);
    expect(restart.stdout).not.toBe(start.stdout);
  });

  it('an unknown unit is a one-line user error with exit code 1', async () => {
    for (const verb of ['stop', 'start', 'restart', 'logs']) {
      const r = await cli([verb, 'ghost']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('supervisor: unknown unit "ghost"\n');
    }
  });

  it('logs prints the last N lines, and -f follows until interrupted', async () => {
    const last = await cli(['logs', 'echo', '-n', '1']);
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/^echo echo ready\n$/);
    const bad = await cli(['logs', 'echo', '-n', 'many']);
    expect(bad).toMatchObject({ code: 1, stderr: 'supervisor: -n expects a whole number of lines, got "many"\n' });

    const follow = spawn(process.execPath, ['--import', tsx, main, 'logs', 'echo', '-f', '-n', '0'], {
      cwd: home.dir,
      env: { ...process.env, ...home.env, ENSEMBLE_SUPERVISOR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follow.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => follow.on('exit', (code) => r(code)));
    try {
      // Restart until the follower has seen the new process announce itself (it may connect late).
      await waitFor('a followed line', async () => {
        if (!out.includes('ready')) await cli(['restart', 'echo']);
        return out.includes('echo echo ready');
      }, { timeoutMs: 60_000, intervalMs: 500 });
      follow.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(out).not.toContain('supervisor:');
    } finally {
      if (follow.exitCode === null && follow.signalCode === null) follow.kill('SIGKILL');
    }
  });

  it('find prints the address of a service by name, alias or family', async () => {
    const byAlias = await cli(['find', 'greeter']);
    expect(byAlias.code).toBe(0);
    expect(byAlias.stdout).toMatch(/^127\.0\.0\.1:\d+\n$/);
    expect((await cli(['find', 'demo.echo.v1.Echo'])).stdout).toBe(byAlias.stdout);
    const json = await cli(['find', 'echo', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'echo', unit: 'echo', aliases: ['greeter'] });
    const missing = await cli(['find', 'nothing-here']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('"nothing-here"');
  });

  it('finds the supervisor through --supervisor and ENSEMBLE_SUPERVISOR from any directory', async () => {
    expect((await cli(['--supervisor', home.paths.apiSocket, 'ps'], { cwd: tmpdir() })).code).toBe(0);
    expect((await cli(['ps', '--supervisor', home.paths.apiAddress], { cwd: tmpdir() })).code).toBe(0);
    expect((await cli(['ps'], { cwd: tmpdir(), env: { ENSEMBLE_SUPERVISOR: home.paths.apiAddress } })).code).toBe(0);
  });

  it('an unreachable supervisor exits 2 with one line naming the address and how it was chosen', async () => {
    const flag = await cli(['--supervisor', join(home.dir, 'no.sock'), 'ps']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(`supervisor: cannot reach the supervisor at unix:${join(home.dir, 'no.sock')} (from --supervisor): connect ENOENT ${join(home.dir, 'no.sock')}\n`);
    const env = await cli(['find', 'echo'], { env: { ENSEMBLE_SUPERVISOR: join(home.dir, 'gone.sock') } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('(from ENSEMBLE_SUPERVISOR)');
    const nowhere = await cli(['ps'], { cwd: home.paths.runtimeDir });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toBe('supervisor: cannot find the supervisor: no --supervisor, no ENSEMBLE_SUPERVISOR, and no .ensemble file in the current directory\n');
  });

  it('shutdown stops the supervisor and waits until it is gone', async () => {
    const r = await cli(['shutdown']);
    expect(r).toMatchObject({ code: 0, stdout: 'supervisor stopped\n' });
    expect(await runnerExit).toBe(0);
    const after = await cli(['ps']);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^supervisor: cannot reach the supervisor at unix:.*api\.sock \(from \.\/system\.ensemble\): .+\n$/);
  });
});

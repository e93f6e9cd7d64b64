import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimePaths, type RuntimePaths } from '../../src/common/runtime-dir.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { killPids, pidsWithEnv } from '../helpers/processes.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

// A real `supervisor run` of a Tinkwell-style `ensamble.tw` (the only ensemble
// file of its directory, started without FILE) whose units have names with
// spaces, driven by the real CLI from another process, as a user would.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const main = join(root, 'src/cli/main.ts');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

let home: TempHome;
let paths: RuntimePaths;
let runner: ChildProcess;
let runnerExit: Promise<number | null>;
let output = '';

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { home, timeoutMs: 60_000 });
}

beforeAll(async () => {
  home = makeTempHome();
  home.write(
    'ensamble.tw',
    `// Tinkwell's default file name; names with spaces, quoted as Tinkwell writes them.
runner "my unit" "sh" {
\targuments: "-c 'echo hello from $ENSEMBLE_UNIT; exec sleep 600'"
}
runner "my echo" "${fixture('sdk-echo.mjs')}" {
\tactivation: blocking
}
`,
  );
  paths = runtimePaths(join(home.dir, 'ensamble.tw'), home.env);
  runner = spawn(process.execPath, ['--import', tsx, main, 'run', '--no-fs', '--log-format', 'json'], {
    cwd: home.dir,
    env: { ...process.env, ...home.env, ENSEMBLE_SUPERVISOR: '', ENSEMBLE_NODE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  runner.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  runner.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  runnerExit = new Promise((r) => runner.on('exit', (code) => r(code)));
  await waitFor('both units to be ready', async () => {
    if (runner.exitCode !== null) throw new Error(`supervisor run exited: ${output}`);
    if (!existsSync(paths.apiSocket)) return false;
    const r = await cli(['ps', '--json']);
    if (r.code !== 0) return false;
    const units = JSON.parse(r.stdout) as { name: string; state: string }[];
    return ['my unit', 'my echo'].every((n) => units.some((u) => u.name === n && u.state === 'ready'));
  }, { timeoutMs: 120_000, intervalMs: 300 });
}, 150_000);

afterAll(async () => {
  if (runner?.exitCode === null && runner.signalCode === null) {
    runner.kill('SIGTERM');
    await Promise.race([runnerExit, new Promise((r) => setTimeout(r, 20_000))]);
  }
  if (runner?.pid !== undefined && runner.exitCode === null && runner.signalCode === null) killPids([runner.pid]);
  if (paths) killPids(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${paths.apiAddress}`));
  home?.cleanup();
}, 60_000);

describe('a Tinkwell ensamble.tw with names with spaces, run for real', { timeout: 120_000 }, () => {
  it('`supervisor run` without FILE runs ensamble.tw, and client verbs find it in the current directory', async () => {
    const r = await cli(['ps']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('ps shows names with spaces quoted, the columns aligned', async () => {
    const r = await cli(['ps']);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(rows.find((l) => l.startsWith("'my unit'"))).toMatch(/^'my unit'\s+ready\s+\d+\s+0\s/);
    expect(rows.find((l) => l.startsWith("'my echo'"))).toMatch(/^'my echo'\s+ready\s+\d+\s+0\s/);
    const stateAt = header!.indexOf('STATE');
    for (const row of rows) expect(row.slice(stateAt)).toMatch(/^ready/);
  });

  it('logs "my unit" prints what the unit wrote, with ENSEMBLE_UNIT its name', async () => {
    const r = await waitFor('the unit line in logs', async () => {
      const x = await cli(['logs', 'my unit']);
      return x.code === 0 && x.stdout.includes('hello from my unit') ? x : null;
    }, { timeoutMs: 30_000, intervalMs: 300 });
    // The unit's own line on stdout (the supervisor's lines about it go to stderr).
    expect(r.stdout).toMatch(/^hello from my unit$/m);
  });

  it('the file view has status/my unit/ and services/my echo (supervisor fs)', async () => {
    const state = await cli(['fs', 'cat', 'status/my unit/state']);
    expect(state.stderr).toBe('');
    expect(state).toMatchObject({ code: 0, stdout: 'ready\n' });
    const units = await cli(['fs', 'ls', 'status']);
    expect(units.stdout.split('\n')).toEqual(expect.arrayContaining(['my unit', 'my echo']));
    const services = await cli(['fs', 'ls', 'services']);
    expect(services.stdout.split('\n')).toContain('my echo');
    const found = await cli(['find', 'my echo']);
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/^127\.0\.0\.1:\d+\n$/);
  });

  it('restart "my unit" restarts it by its name', async () => {
    const before = JSON.parse((await cli(['ps', '--json'])).stdout) as { name: string; pid?: number }[];
    const pid = before.find((u) => u.name === 'my unit')?.pid;
    expect((await cli(['restart', 'my unit'])).code).toBe(0);
    await waitFor('a new pid', async () => {
      const now = JSON.parse((await cli(['ps', '--json'])).stdout) as { name: string; pid?: number; state: string }[];
      const u = now.find((x) => x.name === 'my unit');
      return u?.state === 'ready' && u.pid !== undefined && u.pid !== pid;
    }, { timeoutMs: 60_000, intervalMs: 300 });
  });
});

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimePaths, type RuntimePaths } from '../../src/common/runtime-dir.js';
import { killPids, pidsWithEnv } from '../helpers/processes.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { spawnCli, type SupervisorChild } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

// Two real supervisors of one ensemble file, as --node a and --node b, side by side,
// and the client verbs reaching each through --node or ENSEMBLE_NODE.

const FILE = `runner common "sleep" { arguments: "3600" }
runner only_a "sleep" on "a" { arguments: "3600" }
runner only_b "sleep" on "b" { arguments: "3600" }
`;

let home: TempHome;
let pathsA: RuntimePaths;
let pathsB: RuntimePaths;
const supervisors: SupervisorChild[] = [];

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(args, { home, env, timeoutMs: 60_000 });
}

async function units(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, string>> {
  const r = await cli(['ps', '--json', ...args], env);
  if (r.code !== 0) throw new Error(`ps exited ${r.code}: ${r.stderr}`);
  return Object.fromEntries((JSON.parse(r.stdout) as { name: string; state: string }[]).map((u) => [u.name, u.state]));
}

beforeAll(async () => {
  home = makeTempHome();
  home.write('system.ensemble', FILE);
  pathsA = runtimePaths(home.file, home.env, 'a');
  pathsB = runtimePaths(home.file, home.env, 'b');
  for (const node of ['a', 'b']) {
    supervisors.push(spawnCli(home, ['run', 'system.ensemble', '--node', node, '--no-fs', '--log-format', 'json'], { env: { ENSEMBLE_SUPERVISOR: '', ENSEMBLE_NODE: '' } }));
  }
  for (const [i, paths] of [pathsA, pathsB].entries()) {
    const child = supervisors[i]!;
    await waitFor(`the supervisor of node ${i === 0 ? 'a' : 'b'} to run`, () => {
      if (child.process.exitCode !== null) throw new Error(`supervisor exited ${child.process.exitCode}: ${child.stderr()} ${JSON.stringify(child.records.slice(-3))}`);
      return existsSync(paths.apiSocket) && child.records.some((r) => r.msg === 'supervisor running');
    }, { timeoutMs: 120_000, intervalMs: 100 });
  }
}, 180_000);

afterAll(async () => {
  for (const s of supervisors) {
    if (s.process.exitCode === null && s.process.signalCode === null) {
      s.process.kill('SIGTERM');
      await Promise.race([s.exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    s.kill();
  }
  for (const paths of [pathsA, pathsB]) if (paths) killPids(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${paths.apiAddress}`));
  home?.cleanup();
});

describe('two supervisors of one file as different nodes', { timeout: 240_000 }, () => {
  it('keep their own runtime and state directories; the default node keeps the old path', () => {
    expect(pathsA.runtimeDir).not.toBe(pathsB.runtimeDir);
    expect(pathsA.stateDir).not.toBe(pathsB.stateDir);
    expect(basename(pathsA.runtimeDir)).toMatch(/^system@a-[0-9a-f]{8}$/);
    expect(dirname(pathsA.runtimeDir)).toBe(dirname(home.paths.runtimeDir));
    // The default node (the hostname, or no node at all) has the id without a node.
    expect(runtimePaths(home.file, home.env, hostname()).runtimeDir).toBe(home.paths.runtimeDir);
    expect(basename(home.paths.runtimeDir)).toMatch(/^system-[0-9a-f]{8}$/);
    // ENSEMBLE_NODE picks the node when none is passed.
    expect(runtimePaths(home.file, { ...home.env, ENSEMBLE_NODE: 'b' }).apiSocket).toBe(pathsB.apiSocket);
    // A node name that is no file name still makes a distinct, safe id.
    expect(basename(runtimePaths(home.file, home.env, 'x/../y z').runtimeDir)).toMatch(/^system@x_\.\._y_z-[0-9a-f]{8}$/);
  });

  it('run side by side, each with its own placement, and client verbs reach each by --node or ENSEMBLE_NODE', async () => {
    expect(supervisors.every((s) => s.process.exitCode === null)).toBe(true);
    await waitFor('both nodes to have their units ready', async () => {
      const a = await units(['--node', 'a']);
      const b = await units([], { ENSEMBLE_NODE: 'b' });
      return a.common === 'ready' && a.only_a === 'ready' && b.common === 'ready' && b.only_b === 'ready';
    }, { timeoutMs: 60_000, intervalMs: 250 });
    expect(Object.keys(await units(['--node', 'a'])).sort()).toEqual(['common', 'only_a']);
    expect(Object.keys(await units(['--node', 'b'])).sort()).toEqual(['common', 'only_b']);
    // --node wins over ENSEMBLE_NODE.
    expect(Object.keys(await units(['--node', 'a'], { ENSEMBLE_NODE: 'b' })).sort()).toEqual(['common', 'only_a']);

    // A control verb acts on the chosen node only.
    const stop = await cli(['stop', 'common', '--node', 'a']);
    expect(stop.code, stop.stderr).toBe(0);
    await waitFor('common to stop on node a', async () => (await units(['--node', 'a'])).common === 'stopped', { timeoutMs: 60_000, intervalMs: 250 });
    expect((await units(['--node', 'b'])).common).toBe('ready');
    const logs = await cli(['logs', 'common', '--node', 'a']);
    expect(logs.code, logs.stderr).toBe(0);
  });

  it('finds no supervisor of the default node (exit 2), and shutdown --node stops only that one', async () => {
    const none = await cli(['ps']);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    const down = await cli(['shutdown', '--node', 'a']);
    expect(down.code, down.stderr).toBe(0);
    await waitFor('node a to exit', () => supervisors[0]!.process.exitCode !== null, { timeoutMs: 60_000, intervalMs: 100 });
    expect(supervisors[0]!.process.exitCode).toBe(0);
    expect((await units(['--node', 'b'])).only_b).toBe('ready');
    expect(supervisors[1]!.process.exitCode).toBeNull();
  });
});

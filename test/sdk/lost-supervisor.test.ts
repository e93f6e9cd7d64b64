import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/make-unit-spec.js';
import { isAlive } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait-for.js';
import { sdkRunner, startSystem, type RunningSystem } from '../helpers/system-harness.js';

let sys: RunningSystem | null = null;
let child: ChildProcess | null = null;

afterEach(async () => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = null;
  await sys?.close();
  sys = null;
});

describe('a unit that loses its supervisor', () => {
  it('runs its shutdown hooks and exits by itself', async () => {
    sys = await startSystem(sdkRunner('echo', 'sdk-echo.mjs'));
    const pid = sys.supervisor.getUnit('echo').pid!;
    // Borrow echo's environment contract for a process the supervisor does not manage,
    // so nothing but the SDK's own watchdog can end it.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')) {
      const eq = entry.indexOf('=');
      if (entry.startsWith('ENSEMBLE_')) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    env.ENSEMBLE_STATE_DIR = sys.home.dir;
    let out = '';
    let err = '';
    child = spawn(process.execPath, [fixture('sdk-lonely.mjs'), '500'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    await waitFor('the lonely unit to serve', () => out.includes('serving'));

    await sys.supervisor.shutdown();
    await sys.finished;
    const code = await exited;
    expect(code).toBe(1);
    expect(out).toContain('shutdown hook ran');
    expect(err).toContain('lost its supervisor');
    expect(isAlive(child.pid!)).toBe(false);
  });
});

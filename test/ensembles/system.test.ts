import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runtimePaths } from '../../src/common/runtime-dir.js';
import { buildWat } from '../../units/wasm-host/build-wat.js';
import { runCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { ROOT, runEnsemble, type EnsembleRun } from '../helpers/run-ensemble.js';

const run$ = promisify(execFile);
const SYSTEM = join(ROOT, 'ensembles', 'system.ensemble');
const UNITS = ['store', 'events', 'sensors', 'derive', 'blink', 'shell', 'heartbeat'];

let current: EnsembleRun | null = null;
beforeAll(async () => {
  await buildWat([join(ROOT, 'ensembles')]);
});
afterEach(async () => {
  await current?.stop();
  current = null;
});

/** Run the `supervisor` CLI (from source) against the test's supervisor. */
async function supervisorCli(address: string, ...args: string[]): Promise<string> {
  const r = await runCli([...args, '--supervisor', address], { cwd: ROOT, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`supervisor ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('ensembles/system.ensemble', () => {
  it('starts every unit ready on a machine without hardware; sensors, setpoints and the store work through the file view', async () => {
    current = await runEnsemble('', { file: SYSTEM, flags: ['--set', 'shell_port=0', '--set', 'interval=1s'] });
    const run = current;
    const paths = runtimePaths(SYSTEM, run.home.env);
    await run.waitAllReady(150_000);

    // supervisor ps: every unit listed and ready.
    const ps = await supervisorCli(paths.apiAddress, 'ps');
    for (const unit of UNITS) expect(ps).toMatch(new RegExp(`^${unit}\\s+ready\\b`, 'm'));

    // A bash script reads a sensor file and writes a setpoint through the mount.
    const mnt = paths.mountDir;
    await waitFor('the file view mounted', () => run.output().includes('file view mounted'), { timeoutMs: 30_000 });
    const script = `
set -euo pipefail
load=$(cat "$MNT/units/sensors/dev/load")
[[ "$load" =~ ^[0-9]+(\\.[0-9]+)?$ ]] || { echo "bad load: $load" >&2; exit 1; }
echo "load=$load"
echo 75 > "$MNT/units/derive/alert_percent"
echo "alert=$(cat "$MNT/units/derive/alert_percent")"
echo "led=$(cat "$MNT/units/blink/led")"
cat "$MNT/status/heartbeat/state"
`;
    const { stdout } = await run$('bash', ['-c', script], { env: { ...process.env, MNT: mnt }, timeout: 60_000 });
    expect(stdout).toMatch(/^load=\d/m);
    expect(stdout).toContain('alert=75');
    expect(stdout).toMatch(/^led=(on|off)$/m);
    expect(stdout).toContain('ready');

    // The Node unit found the sensors through discovery and derives into the store.
    await waitFor('derived memory use in the store', () => {
      try {
        return /^\d+(\.\d+)?$/.test(readFileSync(join(mnt, 'units', 'store', 'host', 'mem_used_percent'), 'utf8').trim());
      } catch {
        return false;
      }
    }, { timeoutMs: 60_000 });
    await run.waitOutput('found the sensors of unit \\"sensors\\"');

    // Above its setpoint, derive publishes an alert event in its own (verified) name.
    await run$('bash', ['-c', 'echo 0.1 > "$MNT/units/derive/alert_percent"'], { env: { ...process.env, MNT: mnt }, timeout: 30_000 });
    await run.waitOutput('published the first memory alert');

    // The shell runs a script with the mount in its environment.
    const url = readFileSync(join(mnt, 'units', 'shell', 'address'), 'utf8').trim();
    const token = readFileSync(join(paths.unitStateDir('shell'), 'token'), 'utf8').trim();
    const res = await fetch(`${url}/run`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: 'cat "$ENSEMBLE_FS/units/sensors/dev/mem_total"' });
    const body = (await res.json()) as { exit_code: number; stdout: string };
    expect(body.exit_code).toBe(0);
    expect(Number(body.stdout)).toBeGreaterThan(0);

    // supervisor logs shows a unit's own lines.
    expect(await supervisorCli(paths.apiAddress, 'logs', 'heartbeat', '-n', '20')).toContain('heartbeat: ready as unit heartbeat');
  }, 300_000);
});

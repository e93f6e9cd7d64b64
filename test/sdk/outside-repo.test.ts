import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, killPids } from '../helpers/processes.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

// A unit in a directory outside this repository, with Ensemble installed the way a
// user installs it: `npm install <this package>` (a symlink into node_modules, as
// `npm link` makes), then the installed `supervisor` runs it with the built-in store.
// It runs the build (dist/), as an installed package does: `npm test` builds first.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const UNIT = `import { connect } from 'ensemble/sdk';
const unit = connect();
const store = unit.store();
const set = await store.set('outside/answer', 42, { unit: 'units', waitForReady: true });
const got = await store.get('outside/answer');
const shown = await unit.resourcesOf('store').read('outside/answer');
console.log('outside ' + JSON.stringify({ set: set.value, got: got.value, unit: got.unit, shown }));
await unit.ready();
`;

const SYSTEM = `runner store "@ensemble/store" {
  readiness: notify
}
runner outside "./unit.mjs" {
  readiness: notify
  depends_on: [store]
}
`;

// The library entry ('ensemble'): compile the file, find the running supervisor, read a PlanError;
// and the hosts' sub-export ('ensemble/sdk/host') resolves.
const CHECK = `import { loadPlan, PlanError, formatDiagnostic, supervisorClient, isEnsembleError } from 'ensemble';
import { parseDuration, runHostedUnit } from 'ensemble/sdk/host';
const plan = await loadPlan('system.ensemble');
const client = supervisorClient();
const units = (await client.listUnits()).map((u) => u.name + '=' + u.state).sort();
client.close();
let broken = null;
try {
  await loadPlan('broken.ensemble');
} catch (e) {
  broken = { plan: e instanceof PlanError, ensemble: isEnsembleError(e), code: e.code, first: formatDiagnostic(e.diagnostics[0]) };
}
console.log(JSON.stringify({ units: plan.units.map((u) => u.name), running: units, broken, host: [parseDuration('2s'), typeof runHostedUnit] }));
`;

let home: TempHome | null = null;
let proc: ChildProcess | null = null;
afterEach(async () => {
  const p = proc;
  proc = null;
  if (p?.pid !== undefined && p.exitCode === null) {
    p.kill('SIGTERM');
    await waitFor('supervisor exit', () => p.exitCode !== null || p.signalCode !== null, { timeoutMs: 30_000 }).catch(() => {
      if (p.pid !== undefined && isAlive(p.pid)) killPids([p.pid]);
    });
  }
  home?.cleanup(); // also kills any unit of this home still running
  home = null;
});

describe('a unit outside the repository', () => {
  it('imports ensemble/sdk from an npm-installed Ensemble and reads and writes the built-in store under a real supervisor', { timeout: 180_000 }, async () => {
    expect(existsSync(join(ROOT, 'dist', 'src', 'sdk', 'index.js')), 'run the build first (npm run build)').toBe(true);
    home = makeTempHome();
    const dir = home.dir;
    home.write('package.json', JSON.stringify({ name: 'outside-unit', private: true, type: 'module' }));
    // A real npm install of this package from its directory (offline: nothing to download).
    await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ROOT], { cwd: dir, timeout: 120_000 });
    const installed = join(dir, 'node_modules', 'ensemble');
    expect(lstatSync(installed).isSymbolicLink()).toBe(true);
    expect(resolve(dir, 'node_modules', readlinkSync(installed))).toBe(ROOT);
    home.write('unit.mjs', UNIT);
    home.write('system.ensemble', SYSTEM);
    home.write('broken.ensemble', 'runner x "./unit.mjs" {\n  readiness: sometimes\n}\n');
    home.write('check.mjs', CHECK);

    let out = '';
    const env = { ...process.env, ...home.env, ENSEMBLE_SUPERVISOR: '' };
    proc = spawn(join(dir, 'node_modules', '.bin', 'supervisor'), ['run', 'system.ensemble', '--log-format', 'json', '--no-fs'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));

    const unitLine = (): string | null => {
      for (const l of out.split('\n')) {
        try {
          const entry = JSON.parse(l) as { unit?: string; msg?: string };
          if (entry.unit === 'outside' && entry.msg?.startsWith('outside ')) return entry.msg.slice('outside '.length);
        } catch {
          // not a JSON line
        }
      }
      return null;
    };
    const line = await waitFor('the outside unit reports its store round trip', unitLine, { timeoutMs: 120_000, intervalMs: 100 }).catch((e: Error) => {
      throw new Error(`${e.message}\n${out.slice(-4000)}`);
    });
    expect(JSON.parse(line)).toEqual({ set: 42, got: 42, unit: 'units', shown: '42' });

    // The package's library entry, from the same outside directory, against the running supervisor.
    const check = await waitFor(
      'both units ready, seen through the library entry',
      async () => {
        const r = await execa(process.execPath, ['check.mjs'], { cwd: dir, env, timeout: 60_000 });
        const parsed = JSON.parse(r.stdout) as { running: string[] };
        return parsed.running.every((u) => u.endsWith('=ready')) && parsed.running.length === 2 ? (parsed as Record<string, unknown>) : null;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(check.units).toEqual(['store', 'outside']);
    expect(check.host).toEqual([2000, 'function']);
    expect(check.running).toEqual(['outside=ready', 'store=ready']);
    expect(check.broken).toMatchObject({ plan: true, ensemble: true, code: 'ENS_E_PLAN' });
    expect((check.broken as { first: string }).first).toMatch(/broken\.ensemble:2:\d+: .*sometimes/);
  });
});

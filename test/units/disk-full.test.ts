import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runtimePaths } from '../../src/common/runtime-dir.js';
import { mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait-for.js';
import type { StoreSnapshot } from '../../units/store/measure-store.js';
import { SnapshotWriter } from '../../units/store/persistence.js';
import { runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

// Issue 12 row 13: built-in units on a full disk (a real, filled 1 MiB tmpfs).
const mounts: Tmpfs[] = [];
const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
  for (const m of mounts.splice(0)) m.unmount();
});

function tmpfs(): Tmpfs {
  const m = mountTmpfs('1m');
  mounts.push(m);
  return m;
}

describe('built-in units on a full disk', () => {
  it('the shell starts with its token in memory (no crash, no stack trace) and writes the token file once space returns', async () => {
    const m = tmpfs();
    m.fill();
    const run = await runEnsemble(`runner shell "${unitMain('shell')}" {\n  readiness: notify\n}\n`, { env: { ENSEMBLE_STATE_HOME: m.dir } });
    runs.push(run);
    await run.waitAllReady(90_000);
    await run.waitOutput(/cannot write the token file .*token: no space left on device \(ENOSPC\); the token is kept in memory/);
    const stateDir = runtimePaths(join(run.home.dir, 'system.ensemble'), { ...run.home.env, ENSEMBLE_STATE_HOME: m.dir }).unitStateDir('shell');
    const tokenFile = join(stateDir, 'token');
    expect(existsSync(tokenFile)).toBe(false);
    const unit = await run.waitUnit('shell', 'shell ready', (u) => u.state === 'ready');
    expect(unit.restarts ?? 0).toBe(0);
    m.free();
    await waitFor('the token file', () => existsSync(tokenFile) && readFileSync(tokenFile, 'utf8').trim().length === 64, { timeoutMs: 60_000 });
    const url = await (await run.resources('shell')).read('address');
    const res = await fetch(`${url}/run`, { method: 'POST', body: 'echo ok', headers: { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}` } });
    expect(((await res.json()) as { stdout: string }).stdout).toBe('ok\n');
    expect(run.output()).not.toMatch(/\\n\s+at |Uncaught|ENOSPC: no space left on device, /);
    expect(readdirSync(stateDir).filter((f) => f.includes('.tmp'))).toEqual([]);
  }, 240_000);

  it("the store's snapshot writer reports a failed save once, retries on its own and reports the recovery once", async () => {
    const m = tmpfs();
    const file = join(m.dir, 'store.json');
    const errors: string[] = [];
    const recovered: number[] = [];
    let snapshot: StoreSnapshot = { version: 1, keys: {} };
    const writer = new SnapshotWriter(file, () => snapshot, 10, (e) => errors.push((e as Error).message), (n) => recovered.push(n));
    writer.changed();
    await waitFor('the first save', () => existsSync(file));
    m.fill();
    snapshot = { version: 1, keys: { big: { type: 'text', unit: '', history: [{ time: 1, value: 'v'.repeat(100_000) }] } } } as unknown as StoreSnapshot;
    writer.changed();
    await waitFor('the save to fail', () => errors.length > 0);
    await new Promise((r) => setTimeout(r, 2500)); // at least one retry while still full
    expect(errors).toEqual(['no space left on device (ENOSPC)']);
    expect(readdirSync(m.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    m.free();
    await waitFor('the retry to succeed', () => recovered.length > 0, { timeoutMs: 60_000 });
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toBeGreaterThanOrEqual(2);
    expect(readFileSync(file, 'utf8')).toContain('"big"');
    writer.close();
  }, 120_000);
});

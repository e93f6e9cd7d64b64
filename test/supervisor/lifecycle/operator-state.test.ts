import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorState, operatorStateFile, readOperatorState } from '../../../src/supervisor/lifecycle/operator-state.js';
import { killPids } from '../../helpers/processes.js';
import { TSX_LOADER } from '../../helpers/supervisor-child.js';
import { waitFor } from '../../helpers/wait-for.js';
import { attach, startReloadSystem, type ReloadSystem } from '../reload/reload-harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function track(s: ReloadSystem): ReloadSystem {
  cleanups.push(() => s.cleanup());
  return s;
}

describe('operator state', { timeout: 240_000 }, () => {
  it('kill -9 of a writer at random moments never leaves unreadable state (25 rounds)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ens-state-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'operator-state.json');
    for (let round = 1; round <= 25; round++) {
      const child = spawn(process.execPath, ['--import', TSX_LOADER, join(here, '..', 'reload', 'fixtures', 'state-writer.ts'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
      cleanups.push(() => killPids([child.pid!]));
      let last = 0;
      let partial = '';
      child.stdout.on('data', (b: Buffer) => {
        const lines = (partial + b.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) last = Number(l);
      });
      const exited = new Promise((r) => child.once('exit', r));
      // Kill after a random number of completed writes: somewhere inside a later write.
      const target = 1 + Math.floor(Math.random() * 200);
      await waitFor(`round ${round}: ${target} writes`, () => last >= target || child.exitCode !== null, { intervalMs: 1 });
      child.kill('SIGKILL');
      await exited;
      const read = readOperatorState(file);
      expect(read.problem, `round ${round}`).toBe(null);
      const gens = new Set(read.data.stopped.map((s) => Number(/^gen(\d+)-/.exec(s)?.[1])));
      expect(gens.size, `round ${round}: one generation in the file`).toBe(1);
      const gen = [...gens][0]!;
      // The old or the new state: the last completed write or the one in flight.
      expect(gen, `round ${round}`).toBeGreaterThanOrEqual(last);
      expect(gen, `round ${round}`).toBeLessThanOrEqual(last + 1);
      expect(read.data.stopped.length, `round ${round}`).toBe(1 + (gen % 97));
    }
    // A supervisor loading the state removes temp files a killed writer left.
    const state = OperatorState.load(dir, () => undefined);
    expect(state.problem).toBe(null);
    expect(readdirSync(dir)).toEqual(['operator-state.json']);
  });

  it('a unit stopped by hand stays stopped across a supervisor kill -9 and restart, until started by hand', async () => {
    const s = track(await startReloadSystem({ 'system.ensemble': `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\n` }));
    await s.settled();
    expect((await s.client.control('stop', 'b')).state).toBe('stopped');
    expect(readOperatorState(operatorStateFile(s.home.paths.stateDir)).data.stopped).toEqual(['b']);
    s.child.process.kill('SIGKILL');
    await s.child.exited;
    s.client.close();

    const again = track(await attach(s.home));
    const units = await again.settled({ a: 'ready', b: 'stopped' });
    expect(units.find((u) => u.name === 'b')).toMatchObject({ state: 'stopped', stoppedByOperator: true });
    expect(units.find((u) => u.name === 'b')?.pid).toBeUndefined();
    await again.child.waitRecord('the kept-stopped line', (r) => r.unit === 'b' && String(r.msg).startsWith('kept stopped'));

    // Started by hand: forgotten, so a further restart runs it.
    expect((await again.client.control('start', 'b')).state).toBe('ready');
    expect(readOperatorState(operatorStateFile(s.home.paths.stateDir)).data.stopped).toEqual([]);
    again.child.process.kill('SIGTERM');
    expect((await again.child.exited).code).toBe(0);
    again.client.close();
    const third = track(await attach(s.home));
    await third.settled({ a: 'ready', b: 'ready' });
  });

  it('reload keeps a stopped unit stopped (also when changed) and forgets it once removed from the file', async () => {
    const s = track(await startReloadSystem({ 'system.ensemble': `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\n` }));
    await s.settled();
    await s.client.control('stop', 'b');
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "2001" }\n`);
    const result = await s.client.reload('', false);
    expect(result.units.find((u) => u.name === 'b')).toEqual({ name: 'b', change: 'changed', action: 'keep', fields: ['args'] });
    expect((await s.units()).find((u) => u.name === 'b')).toMatchObject({ state: 'stopped', stoppedByOperator: true });
    // Started by hand, it runs the new spec.
    const started = await s.client.control('start', 'b');
    expect(started.state).toBe('ready');
    await s.client.control('stop', 'b');
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1000" }\n`);
    await s.client.reload('', false);
    expect(readOperatorState(operatorStateFile(s.home.paths.stateDir)).data.stopped).toEqual([]);
    // Back in the file: a new unit, started.
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "2001" }\n`);
    await s.client.reload('', false);
    expect((await s.units()).find((u) => u.name === 'b')).toMatchObject({ state: 'ready', stoppedByOperator: false });
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadUnitProtos } from '../../src/wire/unit-protos.js';
import { call, runEnsemble, unitMain, type EnsembleRun } from '../helpers/run-ensemble.js';

const runs: EnsembleRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

describe('@ensemble/sensor-host', () => {
  it('samples files and commands, parses them, publishes at the device path and into the store; failures show and do not stop the host', async () => {
    const text = `
runner store "${unitMain('store')}" { readiness: notify }
runner host "${unitMain('sensor-host')}" {
  readiness: notify
  depends_on: [store]
  service runner load "/proc/loadavg" {
    properties { field: 1  parse: "number"  interval: "200ms"  device: "~/dev/load"  store_key: "host/load1" }
  }
  service runner mem "/proc/meminfo" {
    properties { line: "MemTotal:"  field: 1  parse: "number"  scale: 0.0009765625  unit: "MB"  device: "~/dev/mem_total"  store_key: "host/mem_total" }
  }
  service runner doc "echo" {
    arguments: ["{\\"a\\": {\\"b\\": 5}}"]
    properties { parse: "json"  json: "a.b"  device: "json/b" }
  }
  service runner broken "false" { properties { interval: "200ms" } }
  service runner later "./later.txt" {
    properties { source: "file"  interval: "200ms"  device: "~/dev/later" }
  }
}
`;
    const run = await runEnsemble(text);
    runs.push(run);
    await run.waitAllReady();
    const res = await run.resources('host');
    const paths = (await res.list()).map((r) => r.path);
    expect(paths).toEqual(expect.arrayContaining(['dev/load', 'dev/mem_total', 'json/b', 'broken', 'errors/broken', 'errors/load', 'dev/later']));

    expect(Number(await res.read('dev/load'))).toBeGreaterThanOrEqual(0);
    const memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(await import('node:fs').then((fs) => fs.readFileSync('/proc/meminfo', 'utf8')))?.[1]);
    expect(Number(await res.read('dev/mem_total'))).toBeCloseTo(memTotalKb / 1024, 3);
    expect(await res.read('json/b')).toBe('5');
    expect(await res.read('errors/load')).toBe('');
    expect(await res.read('errors/broken')).toContain('exited with code 1');
    expect(await res.read('errors/later')).toContain('cannot read');

    // Recovers once the file exists: value published, error cleared.
    writeFileSync(join(run.home.dir, 'later.txt'), 'on\n');
    await expect.poll(() => res.read('dev/later'), { timeout: 20_000 }).toBe('on');
    await expect.poll(() => res.read('errors/later')).toBe('');

    const store = await run.serviceClient('ensemble.store.v1.Store', loadUnitProtos().Store);
    await expect
      .poll(async () => (await call<{ measure: { value: { number?: number }; unit: string } }>(store, 'Get', { key: 'host/mem_total', history: 0 }).catch(() => null))?.measure, { timeout: 20_000 })
      .toMatchObject({ unit: 'MB' });
    expect((await run.client.getUnit('host')).state).toBe('ready');
    expect((await run.client.getUnit('host')).restarts).toBe(0);
    await run.waitOutput('sensor broken: ');
  });

  it('refuses two sensors at one device path with a clear error', async () => {
    const run = await runEnsemble(`
runner host "${unitMain('sensor-host')}" {
  readiness: notify
  restart { policy: "never" }
  service runner a "/proc/loadavg" { properties { device: "~/x" } }
  service runner b "/proc/uptime" { properties { device: "x" } }
}
`);
    runs.push(run);
    await run.waitUnit('host', 'stopped or failed', (u) => ['stopped', 'failed', 'crashloop'].includes(u.state));
    await run.waitOutput('both publish at \\"x\\"');
  });
});

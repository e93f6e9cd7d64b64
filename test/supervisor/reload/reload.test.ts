import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { fuseAvailability } from '../../../src/fs/fuse-adapter.js';
import { unmountStale } from '../../../src/supervisor/runtime-owner.js';
import { fixture } from '../../helpers/make-unit-spec.js';
import { spawnCli } from '../../helpers/supervisor-child.js';
import { isAlive } from '../../helpers/processes.js';
import { waitFor } from '../../helpers/wait-for.js';
import { gone, startReloadSystem, type ReloadSystem } from './reload-harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const LIVE = join(here, 'fixtures', 'live-unit.mjs');
const READY = fixture('unit-ready.mjs');

const systems: ReloadSystem[] = [];
afterEach(() => {
  for (const s of systems.splice(0)) {
    s.cleanup();
    s.home.cleanup();
  }
});

async function start(files: Record<string, string>): Promise<ReloadSystem> {
  const s = await startReloadSystem(files);
  systems.push(s);
  await s.settled();
  return s;
}

function argv(s: ReloadSystem, unit: string): string[] {
  return (JSON.parse(readFileSync(join(s.home.paths.unitStateDir(unit), 'info.json'), 'utf8')) as { argv: string[] }).argv;
}

interface LiveRecord {
  pid: number;
  properties: Record<string, unknown>;
  updates: number;
}

function liveRecord(s: ReloadSystem, unit: string): LiveRecord | null {
  try {
    return JSON.parse(readFileSync(join(s.home.paths.unitStateDir(unit), 'properties.json'), 'utf8')) as LiveRecord;
  } catch {
    return null;
  }
}

describe('supervisor reload', { timeout: 240_000 }, () => {
  it('adds, removes and restarts exactly what changed; every unchanged unit keeps its pid', async () => {
    const s = await start({
      'system.ensemble': `
runner db "${READY}" { readiness: notify  arguments: "db-1" }
runner api "${READY}" { readiness: notify  arguments: "api-1"  depends_on: [db] }
runner worker "${READY}" { arguments: "w-1"  depends_on: [db] }
runner old "sleep" { arguments: "1000" }
`,
    });
    const before = await s.pids();
    s.home.write(
      'system.ensemble',
      `
runner db "${READY}" { readiness: notify  arguments: "db-1" }
runner api "${READY}" { readiness: notify  arguments: ["api-2", "--verbose"]  depends_on: [db] }
runner worker "${READY}" { arguments: "w-1"  depends_on: [db] }
runner fresh "sleep" { arguments: "1001" }
`,
    );
    const mark = s.child.records.length;
    const result = await s.client.reload('', false);
    expect(result).toMatchObject({ added: ['fresh'], removed: ['old'], changed: ['api'], unchanged: ['db', 'worker'], restarted: ['api'], updated: [], applied: true, network: null });
    expect(result.units.find((u) => u.name === 'api')).toEqual({ name: 'api', change: 'changed', action: 'restart', fields: ['args'] });
    const after = await s.pids();
    expect([...after.keys()].sort()).toEqual(['api', 'db', 'fresh', 'worker']);
    expect(after.get('db')).toBe(before.get('db'));
    expect(after.get('worker')).toBe(before.get('worker'));
    expect(after.get('api')).not.toBe(before.get('api'));
    expect(isAlive(after.get('api')!)).toBe(true);
    expect(gone([before.get('api')!, before.get('old')!])).toBe(true);
    expect(argv(s, 'api')).toEqual(['api-2', '--verbose']);
    expect((await s.units()).map((u) => [u.name, u.state])).toEqual([
      ['db', 'ready'],
      ['api', 'ready'],
      ['worker', 'ready'],
      ['fresh', 'ready'],
    ]);
    // The unchanged units never changed state.
    expect(s.child.records.slice(mark).filter((r) => r.event === 'state' && (r.unit === 'db' || r.unit === 'worker'))).toEqual([]);
  });

  it('a changed imported file or Liquid variable restarts exactly the units it resolves into', async () => {
    const s = await start({
      'lib.ensemble': `runner shared "${READY}" { readiness: notify  arguments: "{{ params.x | default: 'one' }}" }\n`,
      'system.ensemble': `import "lib.ensemble"\n{% assign port = "7001" %}\nrunner web "${READY}" { readiness: notify  arguments: "{{ port }}" }\nrunner other "sleep" { arguments: "999" }\n`,
    });
    const before = await s.pids();
    s.home.write('lib.ensemble', `runner shared "${READY}" { readiness: notify  arguments: ["two", "three"] }\n`);
    let result = await s.client.reload('', false);
    expect(result).toMatchObject({ added: [], removed: [], changed: ['shared'], restarted: ['shared'] });
    let after = await s.pids();
    expect(after.get('shared')).not.toBe(before.get('shared'));
    expect(after.get('web')).toBe(before.get('web'));
    expect(after.get('other')).toBe(before.get('other'));
    expect(argv(s, 'shared')).toEqual(['two', 'three']);

    s.home.write('system.ensemble', `import "lib.ensemble"\n{% assign port = "7002" %}\nrunner web "${READY}" { readiness: notify  arguments: "{{ port }}" }\nrunner other "sleep" { arguments: "999" }\n`);
    result = await s.client.reload('', false);
    expect(result).toMatchObject({ changed: ['web'], restarted: ['web'], unchanged: ['shared', 'other'] });
    const again = await s.pids();
    expect(again.get('web')).not.toBe(after.get('web'));
    expect(again.get('shared')).toBe(after.get('shared'));
    expect(again.get('other')).toBe(before.get('other'));
    expect(argv(s, 'web')).toEqual(['7002']);
    after = again;
    // Rewriting a file with the same meaning (comments, spacing) changes nothing.
    s.home.write('system.ensemble', `// same system, new comment\nimport "lib.ensemble"\n{% assign port = "7002" %}\nrunner web "${READY}" {   readiness: notify  arguments: "{{ port }}" }\n\nrunner other "sleep" { arguments: "999" }\n`);
    result = await s.client.reload('', false);
    expect(result.changed).toEqual([]);
    expect(await s.pids()).toEqual(after);
  });

  it('a property change reaches a unit with a live handler without a restart; a unit without one is restarted', async () => {
    const ensemble = (level: number, other: number) => `
runner live "${LIVE}" { readiness: notify  properties { level: ${level}  name: "a" } }
runner plain "${LIVE}" { readiness: notify  arguments: "--no-handler"  properties { level: ${other} } }
`;
    const s = await start({ 'system.ensemble': ensemble(1, 1) });
    const before = await s.pids();
    s.home.write('system.ensemble', ensemble(2, 2));
    const diff = await s.client.reload('', true);
    expect(diff.units.filter((u) => u.change === 'changed').map((u) => [u.name, u.action, u.fields])).toEqual([
      ['live', 'update', ['properties.level']],
      ['plain', 'restart', ['properties.level']],
    ]);
    const result = await s.client.reload('', false);
    expect(result).toMatchObject({ changed: ['live', 'plain'], updated: ['live'], restarted: ['plain'] });
    const rec = await waitFor('live to see level 2', () => {
      const r = liveRecord(s, 'live');
      return r && r.properties.level === 2 ? r : null;
    });
    expect(rec).toEqual({ pid: before.get('live'), properties: { level: 2, name: 'a' }, updates: 1 });
    const after = await s.pids();
    expect(after.get('live')).toBe(before.get('live'));
    expect(after.get('plain')).not.toBe(before.get('plain'));
    expect(liveRecord(s, 'plain')).toEqual({ pid: after.get('plain'), properties: { level: 2 }, updates: 0 });
    // The live unit keeps running with its new properties; its next change is live again.
    s.home.write('system.ensemble', ensemble(3, 2));
    expect((await s.client.reload('', false)).updated).toEqual(['live']);
    await waitFor('live to see level 3', () => liveRecord(s, 'live')?.properties.level === 3);
    expect((await s.pids()).get('live')).toBe(before.get('live'));
  });

  it('a handler that fails ends the unit, which restarts with the new properties', async () => {
    const ensemble = (fail: boolean) => `runner live "${LIVE}" { readiness: notify  properties { fail: ${fail} } }\n`;
    const s = await start({ 'system.ensemble': ensemble(false) });
    const before = await s.pids();
    s.home.write('system.ensemble', ensemble(true));
    expect((await s.client.reload('', false)).updated).toEqual(['live']);
    const rec = await waitFor('live to restart with fail: true', () => {
      const r = liveRecord(s, 'live');
      return r && r.pid !== before.get('live') && r.properties.fail === true ? r : null;
    });
    expect(rec.updates).toBe(0);
    await s.settled({ live: 'ready' });
  });

  it('a plan with an error changes nothing and reports every error as file:line:col', async () => {
    const s = await start({ 'system.ensemble': `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\n` });
    const before = await s.pids();
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "2000" }\nrunner b "sleep" { depends_on: [ghost] }\nrunner c "sleep" {}\n`);
    const error = await s.client.reload('', false).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(error?.code).toBe('ENS_E_PLAN');
    expect(error?.message.split('\n')[0]).toBe(`${s.home.file}:2:33: depends_on: unknown unit "ghost"`);
    expect(error?.message).toContain(`${s.home.file}: 1 error; nothing was changed`);
    expect(await s.pids()).toEqual(before);
    expect((await s.units()).map((u) => u.name)).toEqual(['a', 'b']);
    const logged = await s.child.waitRecord('the reload error in the log', (r) => Array.isArray(r.errors));
    expect(logged.errors).toEqual([`${s.home.file}:2:33: depends_on: unknown unit "ghost"`]);
    expect(logged.level).toBe(50);
  });

  it('SIGHUP reloads the running file', async () => {
    const s = await start({ 'system.ensemble': `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\n` });
    const before = await s.pids();
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1002" }\nrunner c "sleep" { arguments: "1003" }\n`);
    s.child.process.kill('SIGHUP');
    await s.child.waitRecord('the reload to finish', (r) => r.msg === 'reload: done');
    const after = await s.pids();
    expect([...after.keys()]).toEqual(['a', 'b', 'c']);
    expect(after.get('a')).toBe(before.get('a'));
    expect(after.get('b')).not.toBe(before.get('b'));
    expect(s.child.process.exitCode).toBe(null);
  });

  it('stops removed units in reverse dependency order and starts changed ones after their dependencies', async () => {
    const s = await start({
      'system.ensemble': `
runner base "${READY}" { readiness: notify  arguments: "1" }
runner mid "${READY}" { readiness: notify  arguments: "1"  depends_on: [base] }
runner top "${READY}" { readiness: notify  arguments: "1"  depends_on: [mid] }
runner keep "sleep" { arguments: "1000" }
`,
    });
    s.home.write('system.ensemble', `runner keep "sleep" { arguments: "1000" }\n`);
    const mark = s.child.records.length;
    expect((await s.client.reload('', false)).removed).toEqual(['base', 'mid', 'top']);
    const stopped = s.child.records.slice(mark).filter((r) => r.event === 'state' && r.state === 'stopped').map((r) => r.unit);
    expect(stopped).toEqual(['top', 'mid', 'base']);
    // Back again, all changed at once: started in dependency order, each once its dependency is ready.
    s.home.write(
      'system.ensemble',
      `
runner base "${READY}" { readiness: notify  arguments: "2" }
runner mid "${READY}" { readiness: notify  arguments: "2"  depends_on: [base] }
runner top "${READY}" { readiness: notify  arguments: "2"  depends_on: [mid] }
runner keep "sleep" { arguments: "1000" }
`,
    );
    const mark2 = s.child.records.length;
    const result = await s.client.reload('', false);
    expect(result.added).toEqual(['base', 'mid', 'top']);
    // The reload answers once the started units settled.
    expect((await s.units()).every((u) => u.state === 'ready')).toBe(true);
    const events = s.child.records.slice(mark2).filter((r) => r.event === 'state' && (r.state === 'starting' || r.state === 'ready')).map((r) => `${r.unit}:${r.state}`);
    expect(events.indexOf('base:ready')).toBeLessThan(events.indexOf('mid:starting'));
    expect(events.indexOf('mid:ready')).toBeLessThan(events.indexOf('top:starting'));
  });

  it('serialises concurrent reloads: the second starts from what the first applied', async () => {
    const s = await start({ 'system.ensemble': `runner a "sleep" { arguments: "1000" }\n` });
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1001" }\nrunner b "sleep" { arguments: "1002" }\n`);
    const [first, second] = await Promise.all([s.client.reload('', false), s.client.reload('', false)]);
    expect(first).toMatchObject({ added: ['b'], changed: ['a'] });
    expect(second).toMatchObject({ added: [], changed: [], removed: [], unchanged: ['a', 'b'] });
    expect([...(await s.pids()).keys()]).toEqual(['a', 'b']);
  });

  it('reports a changed network block as needing a restart, and keeps reporting it until then', async () => {
    const s = await start({ 'system.ensemble': `runner a "sleep" { arguments: "1000" }\n` });
    const before = await s.pids();
    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1000" }\nnetwork "plant" {\n  listen: "127.0.0.1:0"\n  token: "secret-token-value"\n}\n`);
    const result = await s.client.reload('', false);
    expect(result.network).toEqual({ fields: ['added'], restartRequired: true });
    expect(await s.pids()).toEqual(before);
    expect((await s.client.reload('', true)).network).toEqual({ fields: ['added'], restartRequired: true });
    expect(JSON.stringify(s.child.records)).not.toContain('secret-token-value');
  });
});

describe('supervisor/control ← reload', { timeout: 240_000 }, () => {
  const system = `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\n`;
  const edited = `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1002" }\n`;

  async function expectReloaded(s: ReloadSystem, before: Map<string, number>): Promise<void> {
    await s.child.waitRecord('the reload to finish', (r) => r.msg === 'reload: done');
    const after = await s.pids();
    expect(after.get('a')).toBe(before.get('a'));
    expect(after.get('b')).not.toBe(before.get('b'));
  }

  it('through `supervisor fs write` (the file view without FUSE)', async () => {
    const s = await start({ 'system.ensemble': system });
    const before = await s.pids();
    s.home.write('system.ensemble', edited);
    const cli = spawnCli(s.home, ['fs', 'write', 'supervisor/control', 'reload'], { cwd: s.home.dir, env: { ENSEMBLE_SUPERVISOR: '' } });
    expect((await cli.exited).code).toBe(0);
    await expectReloaded(s, before);
  });

  it.runIf(fuseAvailability().ok)('through the mounted file view: echo reload > supervisor/control', async () => {
    const mount = join(tmpdir(), `ens-mnt-${process.pid}-${Date.now()}`);
    mkdirSync(mount);
    const s = await startReloadSystem({ 'system.ensemble': system }, [], { mount });
    systems.push(s);
    onTestFinished(() => {
      s.cleanup();
      unmountStale(mount);
      rmSync(mount, { recursive: true, force: true });
    });
    await s.settled();
    const before = await s.pids();
    await waitFor('the mount', () => existsSync(join(mount, 'supervisor', 'control')));
    s.home.write('system.ensemble', edited);
    writeFileSync(join(mount, 'supervisor', 'control'), 'reload\n');
    await expectReloaded(s, before);
    s.child.process.kill('SIGTERM');
    expect((await s.child.exited).code).toBe(0);
  });
});

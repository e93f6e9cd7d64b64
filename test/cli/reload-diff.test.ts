import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { startReloadSystem, type ReloadSystem } from '../supervisor/reload/reload-harness.js';

const systems: ReloadSystem[] = [];
afterEach(() => {
  for (const s of systems.splice(0)) {
    s.cleanup();
    s.home.cleanup();
  }
});

function cli(s: ReloadSystem, args: string[], cwd = s.home.dir): Promise<CliResult> {
  return runCli(args, { home: s.home, cwd });
}

const START = `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "1001" }\nrunner c "sleep" { arguments: "1002" }\n`;
const NEXT = `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { arguments: "2001"  env { TOKEN: "hunter2" } }\nrunner d "sleep" { arguments: "1003" }\n`;

async function start(): Promise<ReloadSystem> {
  const s = await startReloadSystem({ 'system.ensemble': START });
  systems.push(s);
  await s.settled();
  return s;
}

describe('supervisor diff / reload', { timeout: 240_000 }, () => {
  it('diff shows what a reload would do, readable and --json, and changes nothing', async () => {
    const s = await start();
    const before = await s.pids();
    s.home.write('system.ensemble', NEXT);
    const readable = await cli(s, ['diff', 'system.ensemble']);
    expect(readable).toEqual({
      code: 0,
      stderr: '',
      stdout: ['~ b     restart  args, env.TOKEN', '+ d     start', '- c     stop', 'diff: 1 to start, 1 to stop, 1 to restart, 1 unchanged', ''].join('\n'),
    });
    expect(readable.stdout).not.toContain('hunter2');
    const all = await cli(s, ['diff', '--all']);
    expect(all.stdout.split('\n')[0]).toBe('= a     keep');
    const json = await cli(s, ['diff', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      added: ['d'],
      removed: ['c'],
      changed: ['b'],
      unchanged: ['a'],
      restarted: ['b'],
      updated: [],
      units: [
        { name: 'a', change: 'unchanged', action: 'keep', fields: [] },
        { name: 'b', change: 'changed', action: 'restart', fields: ['args', 'env.TOKEN'] },
        { name: 'd', change: 'added', action: 'start', fields: [] },
        { name: 'c', change: 'removed', action: 'stop', fields: [] },
      ],
      network: null,
      applied: false,
      file: s.home.file,
    });
    expect(await s.pids()).toEqual(before);
  });

  it('reload applies and exits 0; a bad file exits 1 with file:line:col errors and changes nothing; no supervisor exits 2', async () => {
    const s = await start();
    const before = await s.pids();
    s.home.write('system.ensemble', NEXT);
    const ok = await cli(s, ['reload']);
    expect(ok).toEqual({ code: 0, stderr: '', stdout: ['~ b     restart  args, env.TOKEN', '+ d     start', '- c     stop', 'reloaded: 1 started, 1 stopped, 1 restarted, 1 unchanged', ''].join('\n') });
    const after = await s.pids();
    expect([...after.keys()]).toEqual(['a', 'b', 'd']);
    expect(after.get('a')).toBe(before.get('a'));

    expect((await cli(s, ['reload'])).stdout).toBe('reloaded: no changes (3 unchanged)\n');

    s.home.write('system.ensemble', `runner a "sleep" { arguments: "1000" }\nrunner b "sleep" { depends_on: [ghost] }\n`);
    const bad = await cli(s, ['reload']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.split('\n')).toEqual([
      'system.ensemble:2:33: depends_on: unknown unit "ghost"',
      '  runner b "sleep" { depends_on: [ghost] }',
      '                                  ^',
      'system.ensemble: 1 error; nothing was changed',
      '',
    ]);
    expect(await s.pids()).toEqual(after);
    expect((await cli(s, ['diff'])).code).toBe(1);

    const missing = await cli(s, ['reload', 'nope.ensemble']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.ensemble:1:1: cannot read the ensemble file: file not found');

    const unreachable = await cli(s, ['reload', '--supervisor', `unix:${join(s.home.dir, 'no.sock')}`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/^supervisor: cannot reach the supervisor at unix:.*no\.sock \(from --supervisor\)/);
  });

  it('reload FILE from another directory finds the supervisor running FILE', async () => {
    const s = await start();
    s.home.write('system.ensemble', `${START}runner e "sleep" { arguments: "1004" }\n`);
    const elsewhere = join(s.home.dir, 'elsewhere');
    mkdirSync(elsewhere);
    const r = await cli(s, ['reload', '../system.ensemble'], elsewhere);
    expect(r).toMatchObject({ code: 0, stdout: '+ e     start\nreloaded: 1 started, 3 unchanged\n' });
  });
});

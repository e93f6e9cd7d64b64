import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, makeUnitSpec, nodeUnit } from '../../helpers/make-unit-spec.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { waitFor } from '../../helpers/wait-for.js';

let t: TestSupervisor | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

function info(t: TestSupervisor, unit: string): { pid: number; pgid: number; argv: string[]; cwd: string; env: Record<string, string> } {
  return JSON.parse(readFileSync(join(t.home.paths.unitStateDir(unit), 'info.json'), 'utf8'));
}

describe('launching units', () => {
  it('runs node, TypeScript and PATH executables with their arguments, no shell involved', async () => {
    t = startTestSupervisor([
      nodeUnit('js', 'unit-ready.mjs', { args: ['--name', 'two words', '$HOME', '*'] }),
      nodeUnit('ts', 'unit-ready-ts.ts', { args: ['a b', ''] }),
      makeUnitSpec({ name: 'sleeper', command: 'sleep', args: ['1000'] }),
    ]);
    await t.waitState('js', 'ready');
    await t.waitState('ts', 'ready');
    const sleeper = await t.waitState('sleeper', 'ready');
    const js = await waitFor('info.json', () => info(t as TestSupervisor, 'js'));
    expect(js.argv).toEqual(['--name', 'two words', '$HOME', '*']);
    expect(js.cwd).toBe(fixture('.').replace(/\/\.$/, '').replace(/\/$/, ''));
    await waitFor('ts unit output', () => t?.lines.find((l) => l.unit === 'ts' && l.line.startsWith('ts unit')));
    expect(t.lines.find((l) => l.unit === 'ts' && l.line.startsWith('ts unit'))?.line).toBe('ts unit ts args ["a b",""]');
    const cmdline = readFileSync(`/proc/${sleeper.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline[0]).toMatch(/^\/.*\/sleep$/);
    expect(cmdline.slice(1)).toEqual(['1000', '']);
  });

  it('gives every unit its own process group and the environment contract', async () => {
    t = startTestSupervisor([
      nodeUnit('api', 'unit-ready.mjs', { readiness: 'notify', watchdogMs: 60_000, env: { FIXTURE_COLOR: 'blue', ENSEMBLE_UNIT: 'spoofed' }, properties: { port: 8080, tags: ['a'] } }),
      nodeUnit('host', 'unit-ready.mjs', {
        services: [{ name: 'temp', path: 'cat', resolvedPath: 'cat', args: ['/x'], properties: { interval: '30s' }, source: { file: '/f', line: 1, column: 1 } }],
      }),
    ]);
    const api = await t.waitState('api', 'ready');
    await t.waitState('host', 'ready');
    const a = await waitFor('info.json', () => info(t as TestSupervisor, 'api'));
    expect(a.pgid).toBe(a.pid);
    expect(a.pid).toBe(api.pid);
    expect(a.pgid).not.toBe(readFileSync('/proc/self/stat', 'utf8').split(' ')[4]);
    const paths = t.home.paths;
    expect(a.env.ENSEMBLE_SUPERVISOR).toBe(`unix:${paths.runtimeDir}/api.sock`);
    expect(a.env.ENSEMBLE_UNIT).toBe('api');
    expect(a.env.FIXTURE_COLOR).toBe('blue');
    expect(a.env.ENSEMBLE_STATE_DIR).toBe(paths.unitStateDir('api'));
    expect(JSON.parse(a.env.ENSEMBLE_PROPERTIES ?? '')).toEqual({ port: 8080, tags: ['a'] });
    expect(a.env.NOTIFY_SOCKET).toBe(join(paths.notifyDir, 'api.sock'));
    expect(a.env.WATCHDOG_USEC).toBe('60000000');
    expect(a.env.ENSEMBLE_TOKEN).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(t.supervisor.unitForToken(a.env.ENSEMBLE_TOKEN ?? '')).toBe('api');
    expect(t.supervisor.unitForToken('not-a-token')).toBeNull();
    const h = await waitFor('info.json', () => info(t as TestSupervisor, 'host'));
    expect(h.env.NOTIFY_SOCKET).toBeUndefined();
    expect(h.env.ENSEMBLE_TOKEN).not.toBe(a.env.ENSEMBLE_TOKEN);
    expect(JSON.parse(h.env.ENSEMBLE_PROPERTIES ?? '').services).toEqual([{ name: 'temp', path: 'cat', resolvedPath: 'cat', args: ['/x'], properties: { interval: '30s' } }]);
  });

  it('issues a new token for every start', async () => {
    t = startTestSupervisor([nodeUnit('api', 'unit-ready.mjs')]);
    await t.waitState('api', 'ready');
    const first = (await waitFor('info.json', () => info(t as TestSupervisor, 'api'))).env.ENSEMBLE_TOKEN ?? '';
    await t.supervisor.restartUnit('api');
    const second = (await waitFor('new info.json', () => {
      const i = info(t as TestSupervisor, 'api');
      return i.env.ENSEMBLE_TOKEN !== first ? i : null;
    })).env.ENSEMBLE_TOKEN ?? '';
    expect(t.supervisor.unitForToken(first)).toBeNull();
    expect(t.supervisor.unitForToken(second)).toBe('api');
  });

  it('puts a unit with a missing executable or working directory in failed, and runs the rest', async () => {
    t = startTestSupervisor([
      makeUnitSpec({ name: 'ghost', command: 'no-such-program-ensemble' }),
      makeUnitSpec({ name: 'abs', command: '/nonexistent/bin/x' }),
      makeUnitSpec({ name: 'nodir', command: 'sleep', args: ['1000'], workingDirectory: '/nonexistent/dir' }),
      nodeUnit('nomodule', 'missing-module.mjs'),
      makeUnitSpec({ name: 'fine', command: 'sleep', args: ['1000'] }),
    ]);
    const ghost = await t.waitState('ghost', 'failed');
    expect(ghost.error).toBe('executable "no-such-program-ensemble" not found on PATH');
    expect((await t.waitState('abs', 'failed')).error).toBe('executable /nonexistent/bin/x not found');
    expect((await t.waitState('nodir', 'failed')).error).toBe('working directory /nonexistent/dir does not exist or is not a directory');
    expect((await t.waitState('nomodule', 'failed')).error).toMatch(/^module .*missing-module\.mjs not found$/);
    await t.waitState('fine', 'ready');
    expect(t.supervisor.getUnit('ghost').state).toBe('failed');
    expect(t.supervisor.status().readyUnits).toBe(1);
  });

  it('refuses a working directory or program inside the file view mount, and runs the rest', async () => {
    // The supervisor serves the mount from its own event loop: a child started there would deadlock it.
    const dir = mkdtempSync(join(tmpdir(), 'ens-view-'));
    try {
      const view = join(dir, 'fs');
      const outside = join(dir, 'outside');
      mkdirSync(join(view, 'units'), { recursive: true });
      mkdirSync(outside);
      symlinkSync(join(view, 'units'), join(outside, 'link'));
      t = startTestSupervisor(
        [
          makeUnitSpec({ name: 'inview', command: 'sleep', args: ['1000'], workingDirectory: join(view, 'units') }),
          makeUnitSpec({ name: 'viewroot', command: 'sleep', args: ['1000'], workingDirectory: view }),
          makeUnitSpec({ name: 'linked', command: 'sleep', args: ['1000'], workingDirectory: join(outside, 'link') }),
          makeUnitSpec({ name: 'program', command: join(view, 'units', 'tool'), workingDirectory: outside }),
          makeUnitSpec({ name: 'fine', command: 'sleep', args: ['1000'], workingDirectory: outside, env: { PATH: `${join(view, 'units')}:${process.env.PATH ?? ''}` } }),
        ],
        { launch: { fileViewDir: view } },
      );
      const why = `is inside the file view mounted at ${view}; a unit cannot run from there (the supervisor serving the mount would deadlock)`;
      expect((await t.waitState('inview', 'failed')).error).toBe(`working directory ${join(view, 'units')} ${why}`);
      expect((await t.waitState('viewroot', 'failed')).error).toBe(`working directory ${view} ${why}`);
      expect((await t.waitState('linked', 'failed')).error).toBe(`working directory ${join(outside, 'link')} (${join(view, 'units')}) ${why}`);
      expect((await t.waitState('program', 'failed')).error).toBe(`executable ${join(view, 'units', 'tool')} ${why}`);
      await t.waitState('fine', 'ready');
      expect(t.supervisor.status().readyUnits).toBe(1);
    } finally {
      await t?.close();
      t = null;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

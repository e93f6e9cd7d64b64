import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../helpers/make-unit-spec.js';
import { isAlive, pidsWithEnv } from '../helpers/processes.js';
import { spawnCli, type SupervisorChild } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(): TempHome {
  const h = makeTempHome();
  cleanups.push(() => h.cleanup());
  return h;
}

function cli(h: TempHome, args: string[], options: { cwd?: string } = {}): SupervisorChild {
  const child = spawnCli(h, args, options);
  cleanups.push(() => child.kill());
  return child;
}

const SYSTEM = `
// A small system: db signals readiness over NOTIFY_SOCKET, api waits for it.
runner db "${fixture('notify-ready.sh')}" { readiness: notify }
runner api "${fixture('unit-ready.mjs')}" {
  depends_on: [db]
  readiness: notify
  arguments: "--name 'two words' {{ params.extra }}"
  env { FIXTURE_MODE: "cli" }
  properties { port: 8080 }
  stop { signal: "SIGTERM" timeout: "5s" }
}
runner sleeper "sleep" { arguments: "1000" }
`;

describe('supervisor run FILE', () => {
  it('runs a real .ensemble file (default system.ensemble in the cwd) until SIGTERM, then exits 0', async () => {
    const h = setup();
    h.write('system.ensemble', SYSTEM);
    const s = cli(h, ['run', '--set', 'extra=--flag', '--log-format', 'json', '--no-fs'], { cwd: h.dir });
    await s.waitRecord('all units ready', (r) => r.msg === 'all units ready');
    const info = JSON.parse(readFileSync(join(h.paths.unitStateDir('api'), 'info.json'), 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(info.argv).toEqual(['--name', 'two words', '--flag']);
    expect(info.env.FIXTURE_MODE).toBe('cli');
    expect(JSON.parse(info.env.ENSEMBLE_PROPERTIES ?? '{}')).toEqual({ port: 8080 });
    expect(info.env.ENSEMBLE_SUPERVISOR).toBe(h.paths.apiAddress);
    expect(s.transitions('api')).toEqual(['pending', 'starting', 'ready']);
    // Tokens never reach the log.
    const out = JSON.stringify(s.records);
    expect(out).not.toContain(info.env.ENSEMBLE_TOKEN);
    const pids = s.unitPids();
    s.process.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('prints every error of a bad ensemble as file:line:col, starts nothing and exits 1', async () => {
    const h = setup();
    const file = h.write('broken.ensemble', 'runner a "sleep" { depends_on: [ghost] }\nrunner b "sleep" { restart { policy: "sometimes" } }\n');
    const s = cli(h, ['run', file], { cwd: h.dir });
    expect((await s.exited).code).toBe(1);
    const lines = s.stderr().trim().split('\n');
    expect(lines).toContain('broken.ensemble:1:33: depends_on: unknown unit "ghost"');
    expect(lines).toContain('broken.ensemble:2:38: restart.policy: "sometimes" is not one of always, on-failure, never');
    expect(lines[lines.length - 1]).toBe('broken.ensemble: 2 errors; nothing was started');
    expect(s.records.some((r) => r.event === 'state')).toBe(false);
    expect(pidsWithEnv(`ENSEMBLE_SUPERVISOR=${h.paths.apiAddress}`)).toEqual([]);
  });

  it('rejects an unknown --log-format with exit 1', async () => {
    const h = setup();
    h.write('system.ensemble', SYSTEM);
    const s = cli(h, ['run', '--log-format', 'xml'], { cwd: h.dir });
    expect((await s.exited).code).toBe(1);
    expect(s.stderr()).toBe('supervisor: --log-format must be json or pretty, not "xml"\n');
  });

  it('a missing file is a one-line error, exit 1', async () => {
    const h = setup();
    const s = cli(h, ['run', 'nope.ensemble'], { cwd: h.dir });
    expect((await s.exited).code).toBe(1);
    expect(s.stderr()).toBe('nope.ensemble:1:1: cannot read the ensemble file: file not found\nnope.ensemble: 1 error; nothing was started\n');
  });
});

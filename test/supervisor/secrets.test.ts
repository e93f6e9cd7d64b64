import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setActiveSecrets } from '../../src/ensemble/active-secrets.js';
import { MASK } from '../../src/ensemble/secret-fields.js';
import { UNIT_STATUS_FILES } from '../../src/fs/status-files.js';
import type { UnitStatus } from '../../src/supervisor/lifecycle/unit-state.js';
import { lastGoodFile } from '../../src/supervisor/reload/last-good-plan.js';
import { REPO_ROOT, spawnCli, TSX_LOADER, type SupervisorChild } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue 12 row 14: a real `supervisor run` (CLI child process) whose network
// token and shell token come from the environment. Neither the tokens nor the
// variables that fed them may reach another unit's environment, the logs,
// render, diff or ps; the shell still gets its own token in ENSEMBLE_PROPERTIES.

const PLANT_TOKEN = `plant-${randomBytes(12).toString('hex')}`;
const SHELL_TOKEN = `shell-${randomBytes(12).toString('hex')}`;
const LITERAL = `literal-${randomBytes(12).toString('hex')}`;
const SECRETS = [PLANT_TOKEN, SHELL_TOKEN];
const ENV = { PLANT_TOKEN, SHELL_TOKEN, PLAIN_SETTING: 'plain-value-1', ENSEMBLE_NETWORK_TOKEN: '' };

const FILE = `network "plant" {
  listen: "127.0.0.1:0"
  token: "{{ env.PLANT_TOKEN }}"
}
runner printer "sh" {
  arguments: ["-c", "env; exec sleep 1000"]
  readiness: started
}
runner named "sh" {
  arguments: ["-c", "exec sleep 1001"]
  readiness: started
  env { PLANT_TOKEN: "{{ env.PLANT_TOKEN }}" }
}
runner shell "@ensemble/shell" {
  properties { token: "{{ env.SHELL_TOKEN }}" }
}
runner probed "sh" {
  arguments: ["-c", "exec sleep 1002"]
  readiness: started
  health { probe: "exec:/bin/sh -c 'env > probe-env.txt; exit 1' {{ env.SHELL_TOKEN }}"  interval: "1s"  failures: 100000 }
}
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let home: TempHome;
let sup: SupervisorChild;

function cli(args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', TSX_LOADER, join(REPO_ROOT, 'src/cli/main.ts'), ...args],
      { cwd: home.dir, env: { ...process.env, ...home.env, ...ENV, ENSEMBLE_SUPERVISOR: '' }, timeout: 120_000 },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function expectNoSecret(text: string, where: string): void {
  for (const s of SECRETS) expect(text.includes(s), `${where} holds a secret`).toBe(false);
}

/** The environment of a running unit process, from /proc. */
function environOf(pid: number): Map<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

async function unitPid(name: string): Promise<number> {
  const r = await waitFor(`unit ${name} to run`, () => sup.records.find((x) => x.unit === name && typeof x.unitPid === 'number' && x.state === 'ready'), { timeoutMs: 60_000 });
  return r.unitPid!;
}

beforeAll(async () => {
  home = makeTempHome();
  home.write('system.ensemble', FILE);
  sup = spawnCli(home, ['run', 'system.ensemble', '--no-fs', '--log-format', 'json'], { env: ENV });
  for (const unit of ['printer', 'named', 'shell']) await sup.waitRecord(`${unit} ready`, (r) => r.unit === unit && r.state === 'ready', 90_000);
  // The probe of "probed" has failed (its error text names the probe command): the unit is degraded.
  await sup.waitRecord('the probe failure', (r) => r.unit === 'probed' && r.state === 'degraded', 90_000);
}, 180_000);

afterAll(async () => {
  sup?.kill();
  await sup?.exited;
  home?.cleanup();
});

describe('the in-process file view', () => {
  it('masks the running plan\'s secrets in status/<unit>/error', () => {
    const plan = { file: '/x', node: 'n', units: [], elsewhere: [], params: {}, files: [], network: { name: 'p', listen: null, peers: [], token: PLANT_TOKEN, tls: null, source: { file: '/x', line: 1, column: 1 } } };
    setActiveSecrets(plan);
    try {
      const status = { name: 'u', state: 'degraded', error: `probe exec:x ${PLANT_TOKEN}\nfailing` } as unknown as UnitStatus;
      expect(UNIT_STATUS_FILES.error!(status)).toBe(`probe exec:x ${MASK} failing`);
    } finally {
      setActiveSecrets({ ...plan, network: null });
    }
  });
});

describe('secrets of the file', { timeout: 180_000 }, () => {
  it('never reach another unit\'s environment; a unit whose env block names one gets it; the shell gets its own token in ENSEMBLE_PROPERTIES', async () => {
    const printer = environOf(await unitPid('printer'));
    for (const [k, v] of printer) expectNoSecret(`${k}=${v}`, `printer's ${k}`);
    expect(printer.has('PLANT_TOKEN')).toBe(false);
    expect(printer.has('SHELL_TOKEN')).toBe(false);
    expect(printer.get('PLAIN_SETTING')).toBe('plain-value-1');
    // What the unit printed with `env` (its log) holds no secret either.
    const printed = sup.records.filter((r) => r.unit === 'printer' && r.stream === 'stdout').map((r) => String(r.msg));
    expect(printed).toContain('PLAIN_SETTING=plain-value-1');
    expectNoSecret(printed.join('\n'), 'printer output');

    expect(environOf(await unitPid('named')).get('PLANT_TOKEN')).toBe(PLANT_TOKEN);

    const shell = environOf(await unitPid('shell'));
    expect(shell.has('SHELL_TOKEN')).toBe(false);
    expect(JSON.parse(shell.get('ENSEMBLE_PROPERTIES')!)).toMatchObject({ token: SHELL_TOKEN });
  });

  it('never reach the supervisor\'s log, ps --json or supervisor logs', async () => {
    expectNoSecret(JSON.stringify(sup.records), 'the supervisor log');
    expect(JSON.stringify(sup.records)).toContain(`exit 1 ${MASK} failing`);
    // The exec probe runs with the unit's environment rules too.
    const probeEnv = readFileSync(join(home.dir, 'probe-env.txt'), 'utf8');
    expect(probeEnv).toContain('PLAIN_SETTING=plain-value-1');
    expectNoSecret(probeEnv, 'the exec probe environment');
    expect(probeEnv).not.toMatch(/^(PLANT_TOKEN|SHELL_TOKEN)=/m);
    const ps = await cli(['ps', '--json']);
    expect(ps.code).toBe(0);
    expectNoSecret(ps.stdout, 'ps --json');
    const probed = (JSON.parse(ps.stdout) as { units?: { name: string; error: string }[] } | { name: string; error: string }[]);
    const units = Array.isArray(probed) ? probed : (probed.units ?? []);
    expect(units.find((u) => u.name === 'probed')?.error).toContain(`exit 1 ${MASK} failing`);
    const view = await cli(['fs', 'cat', 'status/probed/error']);
    expect(view.stdout).toContain(`exit 1 ${MASK} failing`);
    expectNoSecret(view.stdout + view.stderr, 'the file view');
    const logs = await cli(['logs', 'probed']);
    // The supervisor's lines about a unit go to stderr, the unit's own to stdout.
    expect(logs.stderr).toContain(`exit 1 ${MASK} failing`);
    expectNoSecret(logs.stdout + logs.stderr, 'supervisor logs');
    const file = readFileSync(join(home.paths.logDir, 'probed.log'), 'utf8');
    expect(file).toContain(`exit 1 ${MASK} failing`);
    expectNoSecret(file, 'the unit log file');
  });

  it('are masked by render and render --json', async () => {
    const text = await cli(['render', 'system.ensemble']);
    expect(text.code).toBe(0);
    expectNoSecret(text.stdout, 'render');
    expect(text.stdout).toContain(`"token":"${MASK}"`);
    expect(text.stdout).toContain(`PLANT_TOKEN='${MASK}'`);
    expect(text.stdout).toContain('withheld    PLANT_TOKEN SHELL_TOKEN');
    const json = await cli(['render', '--json', 'system.ensemble']);
    expect(json.code).toBe(0);
    expectNoSecret(json.stdout, 'render --json');
    const plan = JSON.parse(json.stdout) as { network: { token: string }; units: { name: string; properties: Record<string, unknown>; withheldEnv?: string[] }[] };
    expect(plan.network.token).toBe(MASK);
    expect(plan.units.find((u) => u.name === 'shell')?.properties.token).toBe(MASK);
    expect(plan.units.find((u) => u.name === 'printer')?.withheldEnv).toEqual(['PLANT_TOKEN', 'SHELL_TOKEN']);
  });

  it('are masked by diff (text and --json) and by the reload log; the last good plan is 0600', async () => {
    expect(statSync(lastGoodFile(home.paths.stateDir)).mode & 0o777).toBe(0o600);
    // A new secret in the printer's properties: it prints them (ENSEMBLE_PROPERTIES) when it restarts.
    home.write('system.ensemble', FILE.replace('"env; exec sleep 1000"]', `"env; exec sleep 1000"]\n  properties { password: "${LITERAL}"  api_key: "${LITERAL}-2" }`));
    const diff = await cli(['diff']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('properties.api_key');
    const json = await cli(['diff', '--json']);
    for (const out of [diff.stdout, json.stdout, diff.stderr, json.stderr]) {
      expectNoSecret(out, 'diff');
      expect(out).not.toContain(LITERAL);
    }
    const reload = await cli(['reload']);
    expect(reload.code).toBe(0);
    await sup.waitRecord('the reload', (r) => r.msg === 'reload: done', 60_000);
    await sup.waitRecord('the restarted printer\'s env', (r) => r.unit === 'printer' && String(r.msg).startsWith('ENSEMBLE_PROPERTIES=') && String(r.msg).includes('password'), 60_000);
    const log = JSON.stringify(sup.records);
    expectNoSecret(log, 'the supervisor log after reload');
    expect(log).not.toContain(LITERAL);
    expect(statSync(lastGoodFile(home.paths.stateDir)).mode & 0o777).toBe(0o600);
  });
});

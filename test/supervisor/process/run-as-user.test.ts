import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, makeUnitSpec } from '../../helpers/make-unit-spec.js';
import { isAlive } from '../../helpers/processes.js';
import { REPO_ROOT, spawnCli, spawnPlanSupervisor, TSX_LOADER, type SupervisorChild } from '../../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';
import { resolveCredentials, type UserDatabase } from '../../../src/common/user-database.js';
import { runAsProblem, setprivCredentialArgs } from '../../../src/supervisor/process/unit-user.js';

// Units run as another user and group (supervisord `user=`, PM2 `--uid`), with real
// throwaway users and groups made by useradd/groupadd and removed afterwards.
// Needs root (the test machine runs the suite as root) and util-linux setpriv.

const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
const tag = randomBytes(3).toString('hex');
const USER = `ensu${tag}`;
const G1 = `ensa${tag}`; // the user's primary group
const G2 = `ensb${tag}`; // a supplementary group of the user (in /etc/group)
const G3 = `ensc${tag}`; // a group the user is not in
const made: { kind: 'user' | 'group'; name: string }[] = [];
const homes: TempHome[] = [];
const children: SupervisorChild[] = [];
let ids: { uid: number; g1: number; g2: number; g3: number };

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(home: TempHome, args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], { cwd: home.dir, env: { ...process.env, ...home.env, ENSEMBLE_SUPERVISOR: '', ENSEMBLE_NODE: '' }, timeout: 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function psJson(home: TempHome): Promise<{ name: string; state: string; pid: number; error: string }[]> {
  const r = await cli(home, ['ps', '--json']);
  if (r.code !== 0) throw new Error(`ps: ${r.stderr}`);
  return JSON.parse(r.stdout) as { name: string; state: string; pid: number; error: string }[];
}

function status(pid: number): { uid: number[]; gid: number[]; groups: number[] } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number[] => (new RegExp(`^${name}:\\t?(.*)$`, 'm').exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number);
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups').sort((a, b) => a - b) };
}

function idOf(db: 'passwd' | 'group', name: string): number {
  return Number(execFileSync('getent', [db, name], { encoding: 'utf8' }).split(':')[2]);
}

/** A temp home other users can traverse (mkdtemp makes it 0700). */
function openHome(): TempHome {
  const home = makeTempHome();
  chmodSync(home.dir, 0o755);
  homes.push(home);
  return home;
}

function startFile(home: TempHome, text: string): SupervisorChild {
  home.write('system.ensemble', text);
  const child = spawnCli(home, ['run', 'system.ensemble', '--no-fs', '--log-format', 'json'], { env: { ENSEMBLE_SUPERVISOR: '', ENSEMBLE_NODE: '' } });
  children.push(child);
  return child;
}

async function stopChild(child: SupervisorChild): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) {
    child.process.kill('SIGTERM');
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  child.kill();
}

beforeAll(() => {
  for (const g of [G1, G2, G3]) {
    execFileSync('groupadd', [g]);
    made.push({ kind: 'group', name: g });
  }
  execFileSync('useradd', ['-M', '-N', '-g', G1, '-G', G2, '-s', '/usr/sbin/nologin', USER]);
  made.push({ kind: 'user', name: USER });
  ids = { uid: idOf('passwd', USER), g1: idOf('group', G1), g2: idOf('group', G2), g3: idOf('group', G3) };
});

afterAll(async () => {
  for (const c of children) await stopChild(c);
  for (const h of homes) h.cleanup();
  // Users before their groups (a primary group cannot be removed while its user exists).
  for (const m of made.filter((x) => x.kind === 'user').concat(made.filter((x) => x.kind === 'group'))) {
    try {
      execFileSync(m.kind === 'user' ? 'userdel' : 'groupdel', [m.name], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
});

describe('units run as another user and group', { timeout: 240_000 }, () => {
  it('a notify daemon as USER: its uid, primary gid and own supplementary groups, its state directory, logs and readiness', async () => {
    const home = openHome();
    const child = startFile(
      home,
      `runner daemon "${fixture('notify-ready.sh')}" { readiness: notify  user: "${USER}" }
runner writer "sh" {
  arguments: ["-c", "id -u > \\"$ENSEMBLE_STATE_DIR/who\\"; echo wrote as $(id -un); exec sleep 100000"]
  user: ${ids.uid}  group: "${G3}"  groups: ["${G2}", ${ids.g1}]
}
`,
    );
    const units = await waitFor('both units ready', async () => {
      if (child.process.exitCode !== null) throw new Error(`supervisor exited: ${child.stderr()}`);
      const list = await psJson(home);
      return list.every((u) => u.state === 'ready') && list.length === 2 ? list : null;
    }, { timeoutMs: 120_000, intervalMs: 250 });
    const daemon = units.find((u) => u.name === 'daemon')!;
    const writer = units.find((u) => u.name === 'writer')!;

    // Readiness came over NOTIFY_SOCKET from a process of USER (socat in the script).
    expect(child.records.some((r) => r.unit === 'daemon' && r.msg === 'ready (notified)')).toBe(true);
    const notify = join(home.paths.notifyDir, 'daemon.sock');
    expect(statSync(notify).uid).toBe(ids.uid);
    expect(statSync(notify).mode & 0o777).toBe(0o600);

    // The cgroup was entered (as root) before the switch: the process runs as USER inside it.
    expect(readFileSync(`/proc/${daemon.pid}/cgroup`, 'utf8')).toMatch(/\/daemon\.unit$/m);
    // By name: the user's uid and primary group, and its own supplementary groups (setpriv --init-groups).
    const d = status(daemon.pid);
    expect(d.uid).toEqual([ids.uid, ids.uid, ids.uid, ids.uid]);
    expect(d.gid).toEqual([ids.g1, ids.g1, ids.g1, ids.g1]);
    expect(d.groups).toEqual([ids.g1, ids.g2].sort((a, b) => a - b));
    // By number, with group and groups given: exactly those.
    const w = status(writer.pid);
    expect(w.uid).toEqual([ids.uid, ids.uid, ids.uid, ids.uid]);
    expect(w.gid).toEqual([ids.g3, ids.g3, ids.g3, ids.g3]);
    expect(w.groups).toEqual([ids.g1, ids.g2].sort((a, b) => a - b));

    // State directories belong to the unit's user and group; the unit wrote into its own.
    for (const [unit, gid] of [['daemon', ids.g1], ['writer', ids.g3]] as const) {
      const st = statSync(home.paths.unitStateDir(unit));
      expect([st.uid, st.gid, st.mode & 0o777]).toEqual([ids.uid, gid, 0o700]);
    }
    await waitFor('the writer to write its uid', () => existsSync(join(home.paths.unitStateDir('writer'), 'who')));
    expect(readFileSync(join(home.paths.unitStateDir('writer'), 'who'), 'utf8').trim()).toBe(String(ids.uid));
    // The ensemble's other directories stay closed: search only, never listing, for others.
    expect(statSync(home.paths.stateDir).mode & 0o777).toBe(0o711);
    expect(statSync(home.paths.logDir).mode & 0o077).toBe(0);

    // Log capture goes on as before.
    const logs = await cli(home, ['logs', 'writer']);
    expect(logs.stdout).toContain(`wrote as ${USER}`);
    const daemonLogs = await cli(home, ['logs', 'daemon']);
    expect(daemonLogs.stdout).toContain('notify-ready pid');

    // A restart keeps the identity (and the state directory's owner).
    const restart = await cli(home, ['restart', 'daemon']);
    expect(restart.code, restart.stderr).toBe(0);
    const again = (await psJson(home)).find((u) => u.name === 'daemon')!;
    expect(again.pid).not.toBe(daemon.pid);
    expect(status(again.pid).uid[0]).toBe(ids.uid);

    // No orphans for units of another user either (--pdeathsig survives the switch; the reaper and the cgroup back it).
    const pids = (await psJson(home)).map((u) => u.pid);
    child.process.kill('SIGKILL');
    await waitFor('the units of USER to die with their supervisor', () => pids.every((p) => !isAlive(p)), { timeoutMs: 30_000, intervalMs: 50 });
  });

  it('an unknown user or group is a file:line:col error of the plan', async () => {
    const home = openHome();
    home.write(
      'system.ensemble',
      `runner a "sleep" { arguments: "1"  user: "nosuch${tag}" }
runner b "sleep" {
  arguments: "1"  user: "${USER}"  groups: ["${G2}", "nogroup${tag}"]
}
runner c "sleep" { arguments: "1"  group: "nogroup${tag}" }
runner d "sleep" { arguments: "1"  user: 4000000 }
runner e "sleep" { arguments: "1"  user: "bad:name" }
`,
    );
    const r = await cli(home, ['check', 'system.ensemble']);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => /^system\.ensemble:\d+:\d+: /.test(l));
    expect(lines).toEqual([
      `system.ensemble:1:42: user: no user "nosuch${tag}" on this machine`,
      `system.ensemble:3:62: groups: no group "nogroup${tag}" on this machine`,
      `system.ensemble:5:43: group: no group "nogroup${tag}" on this machine`,
      'system.ensemble:6:42: user: user 4000000 has no entry in the user database, so its primary group is unknown; give group as well',
      'system.ensemble:7:42: user: "bad:name" is not a user or group name',
    ]);
    // A unit of another node is checked by that node's supervisor.
    home.write('other.ensemble', `runner a "sleep" on "elsewhere" { user: "nosuch${tag}" }\n`);
    expect((await cli(home, ['check', 'other.ensemble'])).code).toBe(0);
  });

  it('a user gone by the time the unit starts: failed, with one line', async () => {
    const home = openHome();
    // A plan handed in directly (as a last good plan would be), so the compile-time check is not involved;
    // the file only lets the client verbs find the supervisor.
    home.write('system.ensemble', '');
    const child = spawnPlanSupervisor(home, [makeUnitSpec({ name: 'ghost', args: ['100'], user: `gone${tag}` })]);
    children.push(child);
    const ghost = await waitFor('ghost to fail', async () => {
      if (child.process.exitCode !== null) throw new Error(`supervisor exited: ${child.stderr()}`);
      return (await psJson(home)).find((u) => u.name === 'ghost' && u.state === 'failed');
    }, { timeoutMs: 120_000, intervalMs: 250 });
    expect(ghost.error).toBe(`user: no user "gone${tag}" on this machine`);
    await stopChild(child);
  });

  it('a directory above the state directory that the user cannot search: failed, naming it', async () => {
    const home = openHome();
    chmodSync(home.dir, 0o700);
    home.write('system.ensemble', '');
    const child = spawnPlanSupervisor(home, [makeUnitSpec({ name: 'closed', args: ['100'], user: USER })]);
    children.push(child);
    const closed = await waitFor('closed to fail', async () => {
      if (child.process.exitCode !== null) throw new Error(`supervisor exited: ${child.stderr()}`);
      return (await psJson(home)).find((u) => u.name === 'closed' && u.state === 'failed');
    }, { timeoutMs: 120_000, intervalMs: 250 });
    expect(closed.error).toBe(
      `user ${USER} (uid ${ids.uid}) cannot reach its state directory ${home.paths.unitStateDir('closed')}: ${home.dir} (owner uid 0, gid 0, mode 0700) is not searchable by it; run "chmod o+x ${home.dir}" or use directories it can reach (ENSEMBLE_STATE_HOME, ENSEMBLE_RUNTIME_HOME)`,
    );
    await stopChild(child);
  });

  it('setpriv options for each form of the fields', () => {
    const db: UserDatabase = {
      user: (k) => (k === 'plant' || k === '1001' ? { name: 'plant', uid: 1001, gid: 1001 } : null),
      group: (k) => ({ dialout: { name: 'dialout', gid: 20 }, gpio: { name: 'gpio', gid: 997 } })[k] ?? null,
    };
    const root = { uid: 0, gid: 0 };
    const args = (f: Parameters<typeof resolveCredentials>[0]): string[] => setprivCredentialArgs(resolveCredentials(f, db), root);
    expect(args({})).toEqual([]);
    expect(args({ user: 'plant' })).toEqual(['--reuid', '1001', '--regid', '1001', '--init-groups']);
    expect(args({ user: 'plant', group: 'gpio', groups: ['dialout', '5'] })).toEqual(['--reuid', '1001', '--regid', '997', '--groups', '20,5']);
    expect(args({ user: 'plant', groups: [] })).toEqual(['--reuid', '1001', '--regid', '1001', '--clear-groups']);
    expect(args({ user: '2000', group: '2000' })).toEqual(['--reuid', '2000', '--regid', '2000', '--clear-groups']);
    expect(args({ group: 'dialout' })).toEqual(['--reuid', '0', '--regid', '20', '--clear-groups']);
    expect(() => resolveCredentials({ user: 'ghost' }, db)).toThrow('no user "ghost" on this machine');
    expect(() => resolveCredentials({ user: '2000' }, db)).toThrow(/give group as well/);
    // A supervisor that is not root: its own identity needs nothing, anything else is refused.
    const self = { uid: 1001, gid: 1001 };
    const plant = resolveCredentials({ user: 'plant' }, db)!;
    expect(setprivCredentialArgs(plant, self)).toEqual([]);
    expect(runAsProblem(plant, self)).toBeNull();
    expect(runAsProblem(resolveCredentials({ user: 'plant', groups: ['gpio'] }, db)!, self)).toMatch(/needs a supervisor running as root \(this one runs as uid 1001\)/);
    expect(runAsProblem(plant, { uid: 1002, gid: 1002 })).toMatch(/^running as user plant \(uid 1001\) needs a supervisor running as root/);
  });

  it('a supervisor that is not root refuses, in one line, to run a unit as another user', async () => {
    const home = openHome();
    const nobody = idOf('passwd', 'nobody');
    const nogroup = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    home.write('system.ensemble', `runner other "sleep" { arguments: "100"  user: "${USER}" }\nrunner self "sleep" { arguments: "100"  user: "nobody" }\n`);
    chownSync(home.dir, nobody, nogroup);
    chownSync(home.file, nobody, nogroup);
    // The supervisor as nobody, through setpriv like the units.
    const wrapped = spawn(
      'setpriv',
      ['--reuid', String(nobody), '--regid', String(nogroup), '--clear-groups', '--', process.execPath, '--import', TSX_LOADER, MAIN, 'run', 'system.ensemble', '--no-fs', '--log-format', 'json'],
      { cwd: home.dir, env: { ...process.env, ...home.env, ENSEMBLE_SUPERVISOR: '', ENSEMBLE_NODE: '', HOME: home.dir, XDG_RUNTIME_DIR: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    wrapped.stdout.on('data', (b: Buffer) => (out += b.toString()));
    wrapped.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise((r) => wrapped.once('exit', r));
    try {
      const failed = await waitFor('the unit of another user to fail', () => {
        if (wrapped.exitCode !== null) throw new Error(`supervisor exited ${wrapped.exitCode}: ${out.slice(-2000)}`);
        const line = out.split('\n').find((l) => l.includes('"unit":"other"') && l.includes('"state":"failed"'));
        return line ? (JSON.parse(line) as { error?: string; msg: string }) : null;
      }, { timeoutMs: 120_000, intervalMs: 100 });
      expect(failed.msg).toBe(`cannot start: running as user ${USER} (uid ${ids.uid}) needs a supervisor running as root (this one runs as uid ${nobody}); start it as root, or remove user, group and groups`);
      expect(failed.msg.split('\n')).toHaveLength(1);
      // Running as its own user needs no privilege: that unit runs.
      await waitFor('the unit of its own user to be ready', () => out.split('\n').some((l) => l.includes('"unit":"self"') && l.includes('ready (started)')), { timeoutMs: 60_000 });
    } finally {
      if (wrapped.exitCode === null) wrapped.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (wrapped.exitCode === null && wrapped.signalCode === null) wrapped.kill('SIGKILL');
    }
  });
});

import { execFile } from 'node:child_process';
import { execa } from 'execa';
import { fuseMountAt } from '../../src/fs/stale-mount.js';
import { fixture } from './make-unit-spec.js';
import { runCli } from './run-cli.js';
import { spawnCli, type SupervisorChild } from './supervisor-child.js';
import { makeTempHome, type TempHome } from './temp-home.js';
import { waitFor } from './wait-for.js';

/** The ensemble of the file view tests: a ticking SDK sensor and a plain process. */
export const FS_SYSTEM = `
runner sensor "${fixture('fs-sensor.mjs')}" {
  readiness: notify
  properties { tickMs: 250 }
  stop { timeout: "5s" }
}
runner idle "sleep" { arguments: "1000" }
`;

/** What a finished child process printed. */
export interface Ran {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | undefined;
}

async function ran(p: Promise<{ stdout: unknown; stderr: unknown; exitCode?: number | undefined }>): Promise<Ran> {
  const r = await p;
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode };
}

/** A `supervisor run` child with its file view, and ways to drive it from bash. */
export interface FsSystem {
  readonly home: TempHome;
  readonly supervisor: SupervisorChild;
  /** The mount point (where it would be with --no-fs). */
  readonly mount: string;
  /** `bash -c 'cd MOUNT && SCRIPT'` (never started with its cwd inside the mount). */
  bash(script: string): Promise<Ran>;
  /** `bash test/fixtures/NAME MOUNT ARGS…`. */
  script(name: string, ...args: string[]): Promise<Ran>;
  /** `supervisor ARGS…` run next to the ensemble file (finds the supervisor through the runtime dir). */
  cli(...args: string[]): Promise<Ran>;
  /** Stop the supervisor (SIGTERM, SIGKILL after a deadline), wait until no mount is left, remove the home. */
  close(): Promise<void>;
}

/** Start `supervisor run` over {@link FS_SYSTEM} (or `ensemble`) and wait until every unit is ready. */
export async function startFsSystem(options: { flags?: string[]; ensemble?: string; home?: TempHome } = {}): Promise<FsSystem> {
  const home = options.home ?? makeTempHome();
  home.write('system.ensemble', options.ensemble ?? FS_SYSTEM);
  const flags = options.flags ?? [];
  const mountFlag = flags.indexOf('--mount');
  const mount = mountFlag >= 0 ? (flags[mountFlag + 1] as string) : home.paths.mountDir;
  const supervisor = spawnCli(home, ['run', '--log-format', 'json', ...flags], { cwd: home.dir });
  const sys: FsSystem = {
    home,
    supervisor,
    mount,
    bash: (script) => ran(execa('bash', ['-c', `cd "$0" && ${script}`, mount], { reject: false, timeout: 60_000 })),
    script: (name, ...args) => ran(execa('bash', [fixture(name), mount, ...args], { reject: false, timeout: 60_000 })),
    cli: async (...args) => {
      const r = await runCli(args, { home, timeoutMs: 60_000 });
      // As bash and script: one final newline stripped (execa's way).
      return { stdout: r.stdout.replace(/\r?\n$/, ''), stderr: r.stderr.replace(/\r?\n$/, ''), exitCode: r.code };
    },
    close: () => closeSystem(sys),
  };
  try {
    await supervisor.waitRecord('all units ready', (r) => r.msg === 'all units ready');
  } catch (e) {
    await sys.close();
    throw new Error(`${(e as Error).message}\n${supervisor.stderr()}`, { cause: e });
  }
  return sys;
}

async function closeSystem(sys: FsSystem): Promise<void> {
  const { supervisor, home } = sys;
  if (supervisor.process.exitCode === null && supervisor.process.signalCode === null) {
    supervisor.process.kill('SIGTERM');
    const timer = setTimeout(() => supervisor.kill(), 30_000);
    await supervisor.exited;
    clearTimeout(timer);
  }
  // auto_unmount removes a killed supervisor's mount shortly after its death; never leave one behind.
  try {
    await waitFor('the mount to go away', async () => (await fuseMountAt(sys.mount)) === null, { timeoutMs: 10_000 });
  } catch {
    await new Promise((r) => execFile('fusermount', ['-u', '-z', sys.mount], r));
  }
  home.cleanup();
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, processTree } from '../proc.js';
import { sleep } from '../process-tracker.js';
import type { Peer, PeerEnv, RunSpec, RunningPeer } from './peer.js';

function pm2Bin(repoRoot: string): string {
  return join(repoRoot, 'node_modules', 'pm2', 'bin', 'pm2');
}

/**
 * PM2 (the repository's dev dependency) with its own PM2_HOME in the instance's
 * temporary directory. Start = `pm2 start apps.json` (the CLI spawns the God
 * daemon and returns); apps use `interpreter: none` (native executables) and
 * PM2's defaults otherwise. Stop all = `pm2 kill` (stops every app, then the daemon).
 */
export const pm2Peer: Peer = {
  name: 'pm2',
  unavailable: ({ repoRoot }) => {
    try {
      readFileSync(pm2Bin(repoRoot));
      return undefined;
    } catch {
      return 'node_modules/pm2 missing (npm ci)';
    }
  },
  version: ({ repoRoot }) => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'pm2', 'package.json'), 'utf8')) as { version: string };
    return `pm2 ${pkg.version}`;
  },
  prepare(spec: RunSpec, env: PeerEnv): () => RunningPeer {
    const home = join(env.dir, 'pm2');
    const apps = spec.units.map((u) => ({ name: u.name, script: u.command, args: [...u.args], interpreter: 'none', autorestart: true }));
    const config = join(env.dir, 'apps.json');
    writeFileSync(config, JSON.stringify({ apps }));
    const cliEnv = { ...process.env, PM2_HOME: home };
    const run = (args: string[]): Promise<number | null> =>
      new Promise((resolve) => {
        const child = env.tracker.spawn(process.execPath, [pm2Bin(env.repoRoot), ...args], { cwd: env.dir, env: cliEnv, stdio: 'ignore' });
        child.on('exit', (code) => resolve(code));
        child.on('error', () => resolve(-1));
      });
    const daemonPid = (): number | undefined => {
      try {
        const pid = Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim());
        return pid > 0 ? pid : undefined;
      } catch {
        return undefined;
      }
    };
    return () => {
      let returned: bigint | undefined;
      let failure: string | undefined;
      void run(['start', config]).then((code) => {
        returned = process.hrtime.bigint();
        if (code !== 0) failure = `pm2 start exited with code ${code}`;
      });
      let killing: Promise<number | null> | undefined;
      return {
        startReturnedNs: () => returned,
        supervisorRoots: () => {
          const pid = daemonPid();
          return pid === undefined ? [] : [pid];
        },
        exitReason: () => failure,
        stopAll: async () => {
          killing = run(['kill']);
        },
        cleanup: async () => {
          const pid = daemonPid();
          const tree = pid === undefined ? [] : processTree([pid]).map((p) => p.pid);
          await (killing ?? run(['kill']));
          const deadline = Date.now() + 15_000;
          while (tree.some(isAlive) && Date.now() < deadline) await sleep(20);
          for (const p of tree.filter(isAlive)) process.kill(p, 'SIGKILL');
        },
      };
    };
  },
};

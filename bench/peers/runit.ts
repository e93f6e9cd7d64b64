import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, processTree } from '../proc.js';
import { sleep } from '../process-tracker.js';
import { startForeground } from './foreground.js';
import { whichSync } from './which.js';
import type { Peer, PeerEnv, RunSpec, RunningPeer } from './peer.js';

/** A runit/s6 `run` script that execs the unit. */
export function runScript(command: string, args: readonly string[]): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh\nexec ${[command, ...args].map(q).join(' ')}\n`;
}

/**
 * Write one service directory per unit under `root`; returns their paths.
 * The directories are back-dated by 10 s: runsvdir ignores a scan directory
 * modified within the current second until the next second, an artifact of
 * writing the configuration just before the start that a real machine (whose
 * service directories exist long before boot) never sees.
 */
export function writeServiceDirs(root: string, spec: RunSpec): string[] {
  mkdirSync(root, { recursive: true });
  const past = new Date(Date.now() - 10_000);
  const dirs = spec.units.map((u) => {
    const dir = join(root, u.name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'run'), runScript(u.command, u.args));
    chmodSync(join(dir, 'run'), 0o755);
    utimesSync(dir, past, past);
    return dir;
  });
  utimesSync(root, past, past);
  return dirs;
}

/**
 * runit (Debian package `runit`, without runit-init): `runsvdir -P` on a
 * temporary service directory. Stop all = `sv down` on every service (one command);
 * cleanup = `sv exit`, then SIGHUP to runsvdir (it TERMs its runsv children and exits).
 */
export const runitPeer: Peer = {
  name: 'runit',
  unavailable: () => (whichSync('runsvdir') && whichSync('sv') ? undefined : 'runit not installed (bench/install-peers.sh)'),
  version: () => `runit ${execFileSync('dpkg-query', ['-W', '-f=${Version}', 'runit'], { encoding: 'utf8' }).trim()}`,
  prepare(spec: RunSpec, env: PeerEnv): () => RunningPeer {
    const scan = join(env.dir, 'service');
    const services = writeServiceDirs(scan, spec);
    return () => {
      const fg = startForeground('runsvdir', 'runsvdir', ['-P', scan], env);
      return {
        startReturnedNs: () => undefined,
        supervisorRoots: () => [fg.pid],
        exitReason: () => fg.exitReason(),
        stopAll: async () => {
          spawnSync('sv', ['down', ...services], { stdio: 'ignore' });
        },
        cleanup: async () => {
          const tree = processTree([fg.pid]).map((p) => p.pid);
          spawnSync('sv', ['-w', '10', 'force-stop', ...services], { stdio: 'ignore' });
          spawnSync('sv', ['exit', ...services], { stdio: 'ignore' });
          fg.signal('SIGHUP');
          await fg.waitExit(10_000);
          const deadline = Date.now() + 10_000;
          while (tree.some(isAlive) && Date.now() < deadline) await sleep(20);
          await fg.terminate(1000);
          for (const pid of tree.filter(isAlive)) process.kill(pid, 'SIGKILL');
        },
      };
    };
  },
};

import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { isAlive, processTree } from '../proc.js';
import { sleep } from '../process-tracker.js';
import { startForeground } from './foreground.js';
import { writeServiceDirs } from './runit.js';
import { whichSync } from './which.js';
import type { Peer, PeerEnv, RunSpec, RunningPeer } from './peer.js';

/**
 * s6 (Debian package `s6`): `s6-svscan` on a temporary scan directory.
 * Stop all = `s6-svscanctl -t` (s6-svscan brings every service down, its
 * s6-supervise processes exit, then it exits itself).
 */
export const s6Peer: Peer = {
  name: 's6',
  unavailable: () => (whichSync('s6-svscan') && whichSync('s6-svscanctl') ? undefined : 's6 not installed (bench/install-peers.sh)'),
  version: () => `s6 ${execFileSync('dpkg-query', ['-W', '-f=${Version}', 's6'], { encoding: 'utf8' }).trim()}`,
  prepare(spec: RunSpec, env: PeerEnv): () => RunningPeer {
    const scan = join(env.dir, 'scan');
    writeServiceDirs(scan, spec);
    return () => {
      const fg = startForeground('s6-svscan', 's6-svscan', [scan], env);
      return {
        startReturnedNs: () => undefined,
        supervisorRoots: () => [fg.pid],
        exitReason: () => fg.exitReason(),
        stopAll: async () => {
          spawnSync('s6-svscanctl', ['-t', scan], { stdio: 'ignore' });
        },
        cleanup: async () => {
          const tree = processTree([fg.pid]).map((p) => p.pid);
          if (!fg.exited()) spawnSync('s6-svscanctl', ['-t', scan], { stdio: 'ignore' });
          await fg.waitExit(15_000);
          const deadline = Date.now() + 10_000;
          while (tree.some(isAlive) && Date.now() < deadline) await sleep(20);
          await fg.terminate(1000);
          for (const pid of tree.filter(isAlive)) process.kill(pid, 'SIGKILL');
        },
      };
    };
  },
};

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startForeground } from './foreground.js';
import type { Peer, PeerEnv, RunSpec, RunningPeer } from './peer.js';

/** The floor: bench/minimal-supervisor.mjs (spawn, pipe output, respawn on exit). */
export const minimalPeer: Peer = {
  name: 'minimal',
  unavailable: () => undefined,
  version: () => `node ${process.version}`,
  prepare(spec: RunSpec, env: PeerEnv): () => RunningPeer {
    const config = join(env.dir, 'units.json');
    writeFileSync(config, JSON.stringify(spec.units));
    return () => {
      const fg = startForeground('minimal', process.execPath, [join(env.repoRoot, 'bench', 'minimal-supervisor.mjs'), config], env);
      return {
        startReturnedNs: () => undefined,
        supervisorRoots: () => [fg.pid],
        exitReason: () => fg.exitReason(),
        stopAll: async () => fg.signal('SIGTERM'),
        cleanup: () => fg.terminate(15_000),
      };
    };
  },
};

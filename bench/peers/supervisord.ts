import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../process-tracker.js';
import { startForeground } from './foreground.js';
import { whichSync } from './which.js';
import type { Peer, PeerEnv, RunSpec, RunningPeer } from './peer.js';

/**
 * supervisord (Debian package `supervisor`), run in the foreground (`-n`) against
 * its own configuration file. Programs use supervisord's defaults except
 * `autorestart=true`. Stop all = SIGTERM to supervisord (it stops every program, then exits).
 */
export const supervisordPeer: Peer = {
  name: 'supervisord',
  unavailable: () => (whichSync('supervisord') ? undefined : 'supervisord not installed (bench/install-peers.sh)'),
  version: () => `supervisord ${execFileSync('supervisord', ['--version'], { encoding: 'utf8' }).trim()}`,
  prepare(spec: RunSpec, env: PeerEnv): () => RunningPeer {
    const socket = join(env.dir, 'supervisor.sock');
    const logs = join(env.dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const lines = [
      '[unix_http_server]',
      `file=${socket}`,
      '[supervisord]',
      'nodaemon=true',
      'user=root',
      `logfile=${join(env.dir, 'supervisord.log')}`,
      `pidfile=${join(env.dir, 'supervisord.pid')}`,
      `childlogdir=${logs}`,
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[supervisorctl]',
      `serverurl=unix://${socket}`,
    ];
    for (const u of spec.units) {
      lines.push(`[program:${u.name}]`, `command=${[u.command, ...u.args].join(' ')}`, 'autorestart=true');
    }
    const config = join(env.dir, 'supervisord.conf');
    writeFileSync(config, lines.join('\n') + '\n');
    return () => {
      const fg = startForeground('supervisord', 'supervisord', ['-n', '-c', config], env);
      let controlUp: bigint | undefined;
      void (async () => {
        while (!fg.exited() && controlUp === undefined) {
          if (existsSync(socket)) controlUp = process.hrtime.bigint();
          else await sleep(2);
        }
      })();
      return {
        startReturnedNs: () => controlUp,
        supervisorRoots: () => [fg.pid],
        exitReason: () => fg.exitReason(),
        stopAll: async () => fg.signal('SIGTERM'),
        cleanup: () => fg.terminate(30_000),
      };
    };
  },
};

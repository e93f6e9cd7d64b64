import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { bindServer } from './server-bind.js';

/**
 * Bind `server` to the Unix socket `socketPath` with mode 0600, never
 * reachable by other users even for an instant: the socket is created inside
 * a fresh private directory (mode 0700), set to 0600, then renamed into place
 * (which also atomically replaces a stale socket left by a crashed run).
 * Changing the process umask instead would race with everything else the
 * process creates meanwhile.
 */
export async function bindUnixSocket(server: grpc.Server, socketPath: string): Promise<void> {
  const privateDir = await mkdtemp(join(dirname(socketPath), '.api-'));
  const tmpSocket = join(privateDir, 's');
  try {
    await bindServer(server, `unix:${tmpSocket}`);
    await chmod(tmpSocket, 0o600);
    await rename(tmpSocket, socketPath);
  } finally {
    await rm(privateDir, { recursive: true, force: true });
  }
}

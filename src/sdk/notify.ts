import { createRequire } from 'node:module';

interface DgramSocket {
  on(event: 'error', fn: (e: Error) => void): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (err?: Error) => void): void;
  close(): void;
}

const require = createRequire(import.meta.url);

/**
 * Send one sd_notify(3) datagram (e.g. `READY=1`) to `socketPath`. Abstract
 * sockets (`@name`) are addressed with a leading NUL like systemd does.
 */
export function sdNotify(socketPath: string, message: string): Promise<void> {
  const unix = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
  const path = socketPath.startsWith('@') ? `\0${socketPath.slice(1)}` : socketPath;
  return new Promise((resolve, reject) => {
    const socket = unix.createSocket('unix_dgram');
    socket.on('error', (e) => {
      socket.close();
      reject(e);
    });
    const buf = Buffer.from(message);
    socket.send(buf, 0, buf.length, path, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

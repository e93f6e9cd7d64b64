import { createRequire } from 'node:module';
import { chmodSync, rmSync } from 'node:fs';
import { parseNotify, type NotifyMessage } from './sd-notify.js';

/** The subset of the `unix-dgram` module used here. */
interface DgramSocket {
  on(event: 'message', listener: (buf: Buffer) => void): void;
  on(event: 'error', listener: (e: Error) => void): void;
  once(event: 'listening', listener: () => void): void;
  once(event: 'error', listener: (e: Error) => void): void;
  bind(path: string): void;
  close(): void;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram'): DgramSocket;
}

const require = createRequire(import.meta.url);
let unixDgram: UnixDgram | undefined;

/** Longest path an AF_UNIX socket address can hold on Linux (sun_path minus its NUL). */
export const MAX_SOCKET_PATH = 107;

/**
 * A unit's `NOTIFY_SOCKET`: an AF_UNIX datagram socket the unit (or any
 * program it runs, like `systemd-notify` or `socat`) sends sd_notify
 * assignments to. The file is created mode 0600 in a 0700 directory, so only
 * the supervisor's user can write to it.
 */
export class NotifySocket {
  private constructor(
    readonly path: string,
    private readonly socket: DgramSocket,
  ) {}

  /** Bind a socket at `path` (removing a stale file there) and call `onMessage` for each datagram. */
  static bind(path: string, onMessage: (message: NotifyMessage) => void): Promise<NotifySocket> {
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      return Promise.reject(new Error(`notify socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter runtime directory`));
    }
    unixDgram ??= require('unix-dgram') as UnixDgram;
    rmSync(path, { force: true });
    const socket = unixDgram.createSocket('unix_dgram');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('listening', () => {
        try {
          chmodSync(path, 0o600);
        } catch {
          // The directory is 0700 already.
        }
        socket.on('error', () => {});
        socket.on('message', (buf) => onMessage(parseNotify(buf)));
        resolve(new NotifySocket(path, socket));
      });
      socket.bind(path);
    });
  }

  /** Close the socket and remove its file. */
  close(): void {
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
    rmSync(this.path, { force: true });
  }
}

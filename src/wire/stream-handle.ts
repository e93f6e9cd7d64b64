import * as grpc from '@grpc/grpc-js';
import { isServiceError } from './grpc-status.js';

/** A running server stream: cancel it, or wait for its end. */
export interface StreamHandle {
  cancel(): void;
  /** Resolves when the stream ends (also after cancel); rejects with the mapped error. */
  readonly done: Promise<void>;
}

/**
 * Follow a server stream: every message goes to `onMessage`; `done` resolves
 * when the stream ends or after `cancel()` (the CANCELLED status that follows
 * is not an error), and rejects with `mapError(e)` when the call fails.
 *
 * Backpressure: when `onMessage` returns a promise (its output is full, e.g.
 * stdout waits for 'drain'), the call is paused until it settles, so the
 * client reads no faster than it can write and the server sees a slow reader
 * (it then drops and counts lines, docs/logs.md "Slow followers").
 */
export function followStream<T>(
  call: grpc.ClientReadableStream<T>,
  onMessage: (message: T) => void | Promise<unknown>,
  mapError: (e: grpc.ServiceError) => Error,
): StreamHandle {
  let cancelled = false;
  const done = new Promise<void>((resolve, reject) => {
    call.on('data', (message: T) => {
      const full: unknown = onMessage(message);
      // Only a promise pauses: JavaScript callers may return anything (e.g. `lines.push(x)`, a number).
      if (full instanceof Promise) {
        call.pause();
        const resume = (): void => void call.resume();
        full.then(resume, resume);
      }
    });
    call.on('end', () => resolve());
    call.on('error', (e: unknown) => {
      if (cancelled && isServiceError(e) && e.code === grpc.status.CANCELLED) resolve();
      else reject(isServiceError(e) ? mapError(e) : e);
    });
  });
  return {
    cancel: () => {
      cancelled = true;
      call.cancel();
    },
    done,
  };
}

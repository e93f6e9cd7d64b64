import * as grpc from '@grpc/grpc-js';
import { Caller } from '../wire/call.js';
import { isServiceError } from '../wire/grpc-status.js';

/** Deadline of a typed client's unary calls unless the caller gives one. */
export const DEFAULT_CALL_DEADLINE_MS = 15_000;

/** Options of one call of a typed client. */
export interface CallOptions {
  /** Deadline of a unary call in milliseconds from its start (default 15000; streams have none: cancel them). */
  readonly timeoutMs?: number;
  /** Wait for the service to appear (and the channel to connect) instead of failing with UNAVAILABLE. */
  readonly waitForReady?: boolean;
}

/** The wire layer's caller for one call's options (deadline, `waitForReady`). */
function callerFor(options: CallOptions, defaultTimeoutMs: number | null): Caller {
  return new Caller({
    deadlineMs: options.timeoutMs ?? defaultTimeoutMs,
    metadata: () => {
      const md = new grpc.Metadata();
      if (options.waitForReady) md.setOptions({ waitForReady: true });
      return md;
    },
  });
}

/** One unary call; rejects with an EnsembleError (the server's code and one-line message). */
export function unaryCall<Res>(client: grpc.Client, name: string, request: object, options: CallOptions = {}): Promise<Res> {
  return callerFor(options, DEFAULT_CALL_DEADLINE_MS).unary<Res>(client, name, request);
}

/**
 * A server stream read with `for await`: each message mapped by the client.
 * The loop ends when the server ends the stream or after {@link cancel};
 * any other end (the service went away, bad request) throws an EnsembleError.
 */
export interface Subscription<T> extends AsyncIterable<T> {
  /** End the stream (the `for await` loop finishes normally). */
  cancel(): void;
}

/** Open a server stream of `name`, mapping each message with `map`. */
export function serverStreamCall<Msg, T>(
  client: grpc.Client,
  name: string,
  request: object,
  map: (message: Msg) => T,
  options: CallOptions = {},
): Subscription<T> {
  const caller = callerFor(options, null);
  const call = caller.stream<Msg>(client, name, request);
  let cancelled = false;
  // An error before the first read must not become an unhandled 'error' event.
  call.on('error', () => undefined);
  async function* messages(): AsyncGenerator<T> {
    try {
      for await (const message of call as AsyncIterable<Msg>) yield map(message);
    } catch (e) {
      if (cancelled && isServiceError(e) && e.code === grpc.status.CANCELLED) return;
      throw isServiceError(e) ? caller.mapError(e) : e;
    } finally {
      if (!cancelled) {
        cancelled = true;
        call.cancel();
      }
    }
  }
  const iterator = messages();
  return {
    [Symbol.asyncIterator]: () => iterator,
    cancel() {
      if (cancelled) return;
      cancelled = true;
      call.cancel();
    },
  };
}

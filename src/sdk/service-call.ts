import * as grpc from '@grpc/grpc-js';
import { fromServiceError, isServiceError } from '../wire/grpc-status.js';

/** Deadline of a typed client's unary calls unless the caller gives one. */
export const DEFAULT_CALL_DEADLINE_MS = 15_000;

/** Options of one call of a typed client. */
export interface CallOptions {
  /** Deadline in milliseconds from now (default 15000 for unary calls, none for streams). */
  readonly timeoutMs?: number;
  /** Wait for the service to appear (and the channel to connect) instead of failing with UNAVAILABLE. */
  readonly waitForReady?: boolean;
}

type Method = (...args: unknown[]) => unknown;

function method(client: grpc.Client, name: string): Method {
  const fn = (client as unknown as Record<string, Method | undefined>)[name];
  if (typeof fn !== 'function') throw new Error(`the client has no method ${name}`);
  return fn;
}

function callOptions(options: CallOptions, defaultTimeoutMs: number | null): grpc.CallOptions {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  return timeoutMs === null ? {} : { deadline: Date.now() + timeoutMs };
}

function metadataFor(base: grpc.Metadata | undefined, options: CallOptions): grpc.Metadata {
  const md = base ?? new grpc.Metadata();
  if (options.waitForReady) md.setOptions({ waitForReady: true });
  return md;
}

/** One unary call; rejects with an EnsembleError (the server's code and one-line message). */
export function unaryCall<Res>(client: grpc.Client, name: string, request: object, options: CallOptions = {}, metadata?: grpc.Metadata): Promise<Res> {
  const fn = method(client, name);
  return new Promise((resolve, reject) => {
    fn.call(client, request, metadataFor(metadata, options), callOptions(options, DEFAULT_CALL_DEADLINE_MS), (err: unknown, res: Res) => {
      if (err) reject(isServiceError(err) ? fromServiceError(err) : err);
      else resolve(res);
    });
  });
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
  const call = method(client, name).call(client, request, metadataFor(undefined, options), callOptions(options, null)) as grpc.ClientReadableStream<Msg>;
  let cancelled = false;
  // An error before the first read must not become an unhandled 'error' event.
  call.on('error', () => undefined);
  async function* messages(): AsyncGenerator<T> {
    try {
      for await (const message of call as AsyncIterable<Msg>) yield map(message);
    } catch (e) {
      if (cancelled && isServiceError(e) && e.code === grpc.status.CANCELLED) return;
      throw isServiceError(e) ? fromServiceError(e) : e;
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

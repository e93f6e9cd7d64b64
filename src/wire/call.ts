import * as grpc from '@grpc/grpc-js';
import { fromServiceError, isServiceError } from './grpc-status.js';
import { followStream, type StreamHandle } from './stream-handle.js';

/**
 * How the calls of one client behave: the one place that sets deadlines,
 * builds metadata and maps errors, so consumers write neither a promisifier
 * nor a cast to reach a generated method.
 */
export interface CallPolicy {
  /** Deadline of unary calls in milliseconds from the call's start; null: none. */
  readonly deadlineMs: number | null;
  /** Metadata of each call (fresh per call: a token, `waitForReady`); default empty. */
  readonly metadata?: () => grpc.Metadata;
  /** A failed call's error as the caller sees it; default {@link fromServiceError} (the server's EnsembleError). */
  readonly mapError?: (e: grpc.ServiceError) => Error;
  /** Told how every unary call ended (null: it succeeded), before the promise settles. */
  readonly onOutcome?: (e: grpc.ServiceError | null) => void;
}

/** What one call may change of its client's policy. */
export interface CallOverrides {
  /** This call's deadline (null: none). */
  readonly deadlineMs?: number | null;
  /** Cancels the call when aborted (the promise then rejects with the mapped CANCELLED error). */
  readonly signal?: AbortSignal;
}

type Method = (...args: unknown[]) => unknown;

/** The generated method `name` of a client made from a loaded service (the only cast needed to call one). */
function method(client: grpc.Client, name: string): Method {
  const fn = (client as unknown as Record<string, Method | undefined>)[name];
  if (typeof fn !== 'function') throw new Error(`the ${client.constructor.name} client has no method ${name}`);
  return fn.bind(client);
}

function options(deadlineMs: number | null): grpc.CallOptions {
  return deadlineMs === null ? {} : { deadline: Date.now() + deadlineMs };
}

/**
 * Calls on clients made from loaded services (see `protos.ts`), with one
 * {@link CallPolicy}: unary calls as promises, server streams as streams or
 * followed with backpressure.
 */
export class Caller {
  constructor(private readonly policy: CallPolicy) {}

  /** One unary call of `name`; rejects with the policy's mapped error. */
  unary<Res>(client: grpc.Client, name: string, request: object, overrides: CallOverrides = {}): Promise<Res> {
    const deadlineMs = overrides.deadlineMs === undefined ? this.policy.deadlineMs : overrides.deadlineMs;
    return new Promise<Res>((resolve, reject) => {
      const fn = method(client, name);
      const call = fn(request, this.metadata(), options(deadlineMs), (err: unknown, res: Res) => {
        overrides.signal?.removeEventListener('abort', cancel);
        this.policy.onOutcome?.(isServiceError(err) ? err : null);
        if (err) reject(isServiceError(err) ? this.mapError(err) : err);
        else resolve(res);
      }) as grpc.ClientUnaryCall;
      const cancel = (): void => call.cancel();
      if (overrides.signal?.aborted) cancel();
      else overrides.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Open the server stream `name` (no deadline): the raw call, for callers that manage its events. */
  stream<T>(client: grpc.Client, name: string, request: object): grpc.ClientReadableStream<T> {
    return method(client, name)(request, this.metadata(), {}) as grpc.ClientReadableStream<T>;
  }

  /** Follow the server stream `name` (see {@link followStream}): `done` rejects with the policy's mapped error. */
  follow<T>(client: grpc.Client, name: string, request: object, onMessage: (message: T) => void | Promise<unknown>): StreamHandle {
    return followStream(this.stream<T>(client, name, request), onMessage, (e) => this.mapError(e));
  }

  /** The policy's error for a failed call. */
  mapError(e: grpc.ServiceError): Error {
    return this.policy.mapError ? this.policy.mapError(e) : fromServiceError(e);
  }

  private metadata(): grpc.Metadata {
    return this.policy.metadata ? this.policy.metadata() : new grpc.Metadata();
  }
}

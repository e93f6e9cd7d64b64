import * as grpc from '@grpc/grpc-js';
import { TOKEN_HEADER } from '../../src/api/token.js';

/** The outcome of one raw unary call: the response, or the gRPC error. */
export interface CallOutcome<T> {
  readonly res?: T;
  readonly err?: grpc.ServiceError;
}

/** One raw unary call (optionally with a unit token), never rejecting. */
export function rawCall<T = Record<string, unknown>>(client: grpc.Client, method: string, request: object, token?: string): Promise<CallOutcome<T>> {
  const md = new grpc.Metadata();
  if (token !== undefined) md.set(TOKEN_HEADER, token);
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method]!;
    fn.call(client, request, md, { deadline: Date.now() + 30_000 }, (err: grpc.ServiceError | null, res: T) => resolve(err ? { err } : { res }));
  });
}

/** Collect messages of a server stream until `until` says enough; then cancel. */
export function collectStream<T>(call: grpc.ClientReadableStream<T>, until: (seen: T[]) => boolean): Promise<T[]> {
  const seen: T[] = [];
  return new Promise((resolve, reject) => {
    call.on('data', (m: T) => {
      seen.push(m);
      if (until(seen)) {
        call.cancel();
        resolve(seen);
      }
    });
    call.on('error', (e: grpc.ServiceError) => {
      if (e.code !== grpc.status.CANCELLED) reject(e);
    });
    call.on('end', () => resolve(seen));
  });
}

import type * as grpc from '@grpc/grpc-js';
import { toServiceError } from './grpc-status.js';

/**
 * Adapt a promise-returning function to a grpc-js unary handler: its result
 * is the response; anything it throws becomes a gRPC status through the
 * one error mapping in grpc-status.ts.
 */
export function unary<Req, Res>(fn: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res> | Res): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (res) => callback(null, res),
        (e: unknown) => callback(toServiceError(e)),
      );
  };
}

/**
 * Adapt a server-streaming handler. `fn` writes to the call and returns a
 * cleanup function run when the client cancels or the stream ends; a throw
 * ends the call with the mapped status.
 */
export function serverStream<Req, Res>(
  fn: (request: Req, call: grpc.ServerWritableStream<Req, Res>) => Promise<(() => void) | void> | (() => void) | void,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    let cleanup: (() => void) | void = undefined;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (cleanup) cleanup();
    };
    call.on('cancelled', finish);
    call.on('finish', finish);
    Promise.resolve()
      .then(() => fn(call.request, call))
      .then(
        (c) => {
          cleanup = c;
          if (done && c) c();
        },
        (e: unknown) => {
          // grpc-js turns an 'error' event into the call's final status
          call.emit('error', toServiceError(e));
        },
      );
  };
}

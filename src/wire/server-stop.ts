import type * as grpc from '@grpc/grpc-js';

/**
 * Stop `server` gracefully: no new calls, running calls may finish within
 * `graceMs`, then whatever is left is cut (streams such as `logs -f` never
 * finish by themselves). Resolves once the server stopped either way.
 */
export function stopServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

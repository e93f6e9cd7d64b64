import * as grpc from '@grpc/grpc-js';

/**
 * Bind `server` to `target` (`host:port`, `unix:/path`); resolves the bound
 * port (0 for a Unix socket). Without credentials the server is plaintext.
 */
export function bindServer(server: grpc.Server, target: string, credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
  return new Promise<number>((resolve, reject) => server.bindAsync(target, credentials, (err, port) => (err ? reject(err) : resolve(port))));
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readHostPort, type HostPort } from '../common/host-port.js';
import { InvalidArgumentError } from '../common/errors.js';
import { createMetricsRegistry } from './metrics-registry.js';
import type { MetricsSource } from './metrics-registry.js';

/** A running metrics listener. */
export interface MetricsServer {
  /** The address actually bound, `host:port` (`[v6]:port`), e.g. after asking for port 0. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * Serve Prometheus text metrics of the supervisor and its units at
 * `http://ADDRESS/metrics` (`--metrics ADDR`). `address` is `host:port`,
 * `[ipv6]:port`, or a bare port (host 127.0.0.1). Values are read from
 * `control` at scrape time; see docs/health.md for the metric names.
 * Rejects with `InvalidArgumentError` on a malformed address and with the
 * listen error (e.g. EADDRINUSE) when the port cannot be bound.
 */
export async function startMetricsServer(control: MetricsSource, address: string): Promise<MetricsServer> {
  const { host, port } = parseListenAddress(address);
  const registry = createMetricsRegistry(control);
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/' ? 'Ensemble metrics: /metrics\n' : 'not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`cannot collect metrics: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Parse `host:port`, `[ipv6]:port` or `port` (host 127.0.0.1; port 0 picks a free one). */
export function parseListenAddress(address: string): HostPort {
  const read = readHostPort(address, { defaultHost: '127.0.0.1', minPort: 0 });
  if ('problem' in read) throw new InvalidArgumentError(`invalid metrics address "${address}": ${read.problem}`);
  return read;
}

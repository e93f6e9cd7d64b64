import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { EtcdTls } from './etcd-config.js';

/** One answer of etcd's health endpoint. */
export type HealthAnswer = { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

/** The TLS options the health check dials an https endpoint with (the member's CA; its own certificate when clients must present one). */
export function healthTlsOptions(tls: EtcdTls): RequestOptions {
  const options: RequestOptions = {};
  if (tls.trustedCaFile !== null) options.ca = readFileSync(tls.trustedCaFile);
  if (tls.clientCertAuth && tls.certFile !== null && tls.keyFile !== null) {
    options.cert = readFileSync(tls.certFile);
    options.key = readFileSync(tls.keyFile);
  }
  return options;
}

/**
 * `GET <url>/health` once: healthy when etcd answers 200 with
 * `{"health":"true"}`; otherwise why not (connection refused, 503 with
 * `{"health":"false"}` while there is no leader, …). Never throws.
 */
export function checkHealth(url: string, tls: RequestOptions, timeoutMs: number): Promise<HealthAnswer> {
  const target = new URL('/health', url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(target, { ...tls, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d.slice(0, 4096)));
      res.on('error', (e) => resolve({ healthy: false, reason: e.message }));
      res.on('end', () => {
        let health: unknown;
        try {
          health = (JSON.parse(body) as { health?: unknown }).health;
        } catch {
          health = undefined;
        }
        if (res.statusCode === 200 && health === 'true') resolve({ healthy: true });
        else resolve({ healthy: false, reason: `HTTP ${res.statusCode ?? '?'} ${body.trim().slice(0, 200)}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ healthy: false, reason: e.code ?? e.message }));
    req.end();
  });
}

/**
 * Poll the health endpoint every `intervalMs` until it is healthy (resolves
 * true) or `stopped()` says to give up (resolves false). `onWaiting` gets each
 * new reason once, so the log is not flooded.
 */
export async function waitHealthy(url: string, tls: RequestOptions, options: { intervalMs: number; stopped: () => boolean; onWaiting: (reason: string) => void }): Promise<boolean> {
  let lastReason = '';
  while (!options.stopped()) {
    const answer = await checkHealth(url, tls, 2000);
    if (answer.healthy) return true;
    if (answer.reason !== lastReason) {
      lastReason = answer.reason;
      options.onWaiting(answer.reason);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs));
  }
  return false;
}

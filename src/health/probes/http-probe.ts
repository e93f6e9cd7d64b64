import http from 'node:http';
import https from 'node:https';
import type { Probe, ProbeResult } from '../../supervisor/health-services.js';
import { errorText, fail, pass, withDeadline } from './deadline.js';

/**
 * `http://…` / `https://…`: a GET that passes on a 2xx or 3xx status (redirects
 * are not followed). Like Kubernetes' httpGet probe, HTTPS certificates are
 * not verified: the probe checks liveness, not identity.
 */
export class HttpProbe implements Probe {
  readonly description: string;

  constructor(readonly url: URL) {
    this.description = url.href;
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    return withDeadline(timeoutMs, (signal) =>
      new Promise<ProbeResult>((resolve) => {
        const options: https.RequestOptions = {
          method: 'GET',
          signal,
          agent: false,
          headers: { 'user-agent': 'ensemble-health-probe', connection: 'close' },
        };
        if (this.url.protocol === 'https:') options.rejectUnauthorized = false;
        const request = (this.url.protocol === 'https:' ? https : http).request(this.url, options, (response) => {
          const status = response.statusCode ?? 0;
          response.resume();
          response.destroy();
          const text = `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
          resolve(status >= 200 && status < 400 ? pass(text) : fail(text));
        });
        request.once('error', (error) => resolve(fail(`${this.description}: ${errorText(error)}`)));
        request.end();
      }),
    );
  }
}

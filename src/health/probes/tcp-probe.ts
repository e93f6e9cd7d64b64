import { connect } from 'node:net';
import type { Probe, ProbeResult } from '../../supervisor/health-services.js';
import { errorText, fail, pass, withDeadline } from './deadline.js';

/** `tcp:PORT`: passes when a TCP connection to `host:port` is accepted. */
export class TcpProbe implements Probe {
  readonly description: string;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.description = `tcp:${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    return withDeadline(timeoutMs, (signal) =>
      new Promise<ProbeResult>((resolve) => {
        const socket = connect({ host: this.host, port: this.port });
        const done = (result: ProbeResult): void => {
          socket.destroy();
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        };
        const onAbort = (): void => done(fail('aborted'));
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => done(pass(`connected to ${this.description.slice(4)}`)));
        socket.once('error', (error) => done(fail(`${this.description}: ${errorText(error)}`)));
      }),
    );
  }
}

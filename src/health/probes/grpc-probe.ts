import * as grpc from '@grpc/grpc-js';
import { healthClientConstructor } from '../../wire/health-proto.js';
import type { Probe, ProbeResult, ProbeTarget } from '../../supervisor/health-services.js';
import { errorText, fail, pass, withDeadline } from './deadline.js';

/**
 * `grpc`: `grpc.health.v1.Health/Check` with service `""` on the unit's
 * registered address; passes on `SERVING`. A unit without a registered
 * address fails the probe. Each check uses a fresh channel that is closed
 * afterwards, so a unit that moves to a new address is followed at once.
 */
export class GrpcProbe implements Probe {
  readonly description: string;

  constructor(
    private readonly target: ProbeTarget,
    /** The service name asked for (`""` = the server as a whole). */
    readonly service = '',
  ) {
    this.description = service === '' ? 'grpc' : `grpc:${service}`;
  }

  check(timeoutMs: number): Promise<ProbeResult> {
    let address: string | null;
    try {
      address = this.target.address();
    } catch (error) {
      return Promise.resolve(fail(`cannot resolve the address of ${this.target.unit}: ${errorText(error)}`));
    }
    if (address === null || address === '') return Promise.resolve(fail(`${this.target.unit} has no registered gRPC address`));
    const where = address;
    return withDeadline(timeoutMs, (signal) =>
      new Promise<ProbeResult>((resolve) => {
        const Client = healthClientConstructor();
        const client = new Client(where, grpc.credentials.createInsecure(), { 'grpc.max_reconnect_backoff_ms': 1000 });
        const done = (result: ProbeResult): void => {
          signal.removeEventListener('abort', onAbort);
          client.close();
          resolve(result);
        };
        // No grpc-js deadline: its own timer would answer DEADLINE_EXCEEDED right after a pause
        // of the supervisor, before the answer waiting in the socket is read; withDeadline's
        // stall-aware deadline cancels the call instead.
        const call = client.check({ service: this.service }, {}, (error, response) => {
          if (error) done(fail(`${where}: ${grpc.status[error.code] ?? error.code} ${error.details}`.trim()));
          else if (response?.status === 'SERVING') done(pass(`${where}: SERVING`));
          else done(fail(`${where}: ${response?.status ?? 'no status'}`));
        });
        const onAbort = (): void => {
          call.cancel();
          done(fail('aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
}

import * as grpc from '@grpc/grpc-js';
import { serverStream, unary } from './grpc-handlers.js';
import { StreamOutbox } from './stream-outbox.js';
import { GrpcStatusError } from './grpc-status.js';

/** grpc.health.v1 serving status names. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

/**
 * The standard `grpc.health.v1.Health` service (Check and Watch) over a
 * table of service names. The empty name stands for the whole server.
 * Unknown names: Check answers NOT_FOUND, Watch sends SERVICE_UNKNOWN and
 * keeps the stream open (as the spec says).
 */
export class HealthStatus {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<(service: string) => void>();

  constructor(initial: Record<string, ServingStatus> = { '': 'SERVING' }) {
    for (const [name, status] of Object.entries(initial)) this.statuses.set(name, status);
  }

  /** Set the status of `service` ('' for the server) and tell every watcher. */
  set(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const w of [...this.watchers]) w(service);
  }

  /** Set every known service (and the server) to `status`, e.g. NOT_SERVING while stopping. */
  setAll(status: ServingStatus): void {
    for (const name of [...this.statuses.keys()]) this.set(name, status);
  }

  /** The status of `service`, or undefined when unknown. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** Handlers to add with `server.addService(Health.service, handlers)`. */
  handlers(): grpc.UntypedServiceImplementation {
    return {
      Check: unary((req: { service: string }) => {
        const status = this.statuses.get(req.service);
        if (status === undefined) throw new GrpcStatusError(grpc.status.NOT_FOUND, `unknown service "${req.service}"`);
        return { status };
      }),
      Watch: serverStream((req: { service: string }, call) => {
        let last: string | undefined;
        // A client that does not read gets the latest status once it reads again (stream-outbox.ts).
        const out = new StreamOutbox<{ status: string }>(call, { kind: 'latest', key: () => 'status' });
        const send = () => {
          const status = this.statuses.get(req.service) ?? 'SERVICE_UNKNOWN';
          if (status !== last) out.send({ status });
          last = status;
        };
        const watcher = (service: string) => {
          if (service === req.service) send();
        };
        this.watchers.add(watcher);
        send();
        return () => {
          this.watchers.delete(watcher);
          out.close();
        };
      }),
    };
  }
}

import * as grpc from '@grpc/grpc-js';
import { clientCallError } from '../api/client-call-error.js';
import type { SupervisorTarget } from '../api/client-address.js';
import { loadProtos } from '../wire/protos.js';
import { followStream } from '../wire/stream-handle.js';
import type { LogLineMessage, UnitMessage } from '../api/supervisor-messages.js';
import type { EnsembleError } from '../errors.js';
import type { NodeMessage, NodeUnitsMessage } from './network-messages.js';
import type { PeerStream } from './peer-client.js';

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res?: unknown) => void) => void;
type ServerStream = (req: object, md: grpc.Metadata) => grpc.ClientReadableStream<unknown>;

/**
 * The operator's client of `ensemble.network.v1.Network` on the local
 * supervisor's socket (the CLI's `ps --network`, `restart NODE/UNIT`, `logs
 * NODE/UNIT`). A local supervisor that cannot be reached gives an
 * UnreachableError naming the address (exit code 2); a remote node that
 * cannot be reached gives the node's UnreachableError from the supervisor.
 */
export class NetworkClient {
  private readonly client: grpc.Client;

  constructor(readonly target: SupervisorTarget) {
    this.client = new (loadProtos().Network)(target.address, grpc.credentials.createInsecure());
  }

  async nodes(): Promise<{ network: string; nodes: NodeMessage[] }> {
    return this.unary('ListNodes', {}, 30_000);
  }

  async listUnits(): Promise<NodeUnitsMessage[]> {
    return (await this.unary<{ nodes: NodeUnitsMessage[] }>('ListUnits', {}, 30_000)).nodes;
  }

  /** Start, stop or restart `unit` on `node` ('' = the local node); resolves once done. */
  async control(node: string, unit: string, action: 'start' | 'stop' | 'restart'): Promise<{ node: string; unit: UnitMessage }> {
    return this.unary('ControlUnit', { node, unit, action }, null);
  }

  logs(request: { node: string; unit: string; tail?: number; follow: boolean }, onLine: (node: string, line: LogLineMessage) => void): PeerStream {
    const call = (this.client as unknown as Record<string, ServerStream>).Logs!.call(this.client, request, new grpc.Metadata());
    return followStream(
      call as grpc.ClientReadableStream<{ node: string; line?: LogLineMessage }>,
      (m) => {
        if (m.line) onLine(m.node, m.line);
      },
      (e) => this.error(e),
    );
  }

  close(): void {
    this.client.close();
  }

  private error(e: grpc.ServiceError): EnsembleError {
    return clientCallError(e, this.target.address, this.target.how);
  }


  private unary<Res>(method: string, request: object, deadlineMs: number | null): Promise<Res> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, Unary>)[method]!;
      fn.call(this.client, request, new grpc.Metadata(), deadlineMs === null ? {} : { deadline: Date.now() + deadlineMs }, (err, res) =>
        err ? reject(this.error(err)) : resolve(res as Res),
      );
    });
  }
}

import type * as grpc from '@grpc/grpc-js';
import { clientCallError } from '../wire/client-call-error.js';
import type { SupervisorTarget } from '../api/client-address.js';
import type { LogLineMessage, UnitMessage } from '../api/supervisor-messages.js';
import { Caller } from '../wire/call.js';
import { clientsOnOneChannel } from '../wire/channel.js';
import { loadProtos } from '../wire/protos.js';
import type { NodeMessage, NodeUnitsMessage } from './network-messages.js';
import type { PeerStream } from './peer-client.js';

/**
 * The operator's client of `ensemble.network.v1.Network` on the local
 * supervisor's socket (the CLI's `ps --network`, `restart NODE/UNIT`, `logs
 * NODE/UNIT`). A local supervisor that cannot be reached gives an
 * UnreachableError naming the address (exit code 2); a remote node that
 * cannot be reached gives the node's UnreachableError from the supervisor.
 */
export class NetworkClient {
  private readonly client: grpc.Client;
  /** Quick calls have a 30 s deadline, unit control none (it answers once done). */
  private readonly caller: Caller;

  constructor(readonly target: SupervisorTarget) {
    [this.client] = clientsOnOneChannel(target.address, [loadProtos().Network]);
    this.caller = new Caller({ deadlineMs: 30_000, mapError: (e) => clientCallError(e, target.address, target.how) });
  }

  async nodes(): Promise<{ network: string; nodes: NodeMessage[] }> {
    return this.caller.unary(this.client, 'ListNodes', {});
  }

  async listUnits(): Promise<NodeUnitsMessage[]> {
    return (await this.caller.unary<{ nodes: NodeUnitsMessage[] }>(this.client, 'ListUnits', {})).nodes;
  }

  /** Start, stop or restart `unit` on `node` ('' = the local node); resolves once done. */
  async control(node: string, unit: string, action: 'start' | 'stop' | 'restart'): Promise<{ node: string; unit: UnitMessage }> {
    return this.caller.unary(this.client, 'ControlUnit', { node, unit, action }, { deadlineMs: null });
  }

  logs(request: { node: string; unit: string; tail?: number; follow: boolean }, onLine: (node: string, line: LogLineMessage) => void): PeerStream {
    return this.caller.follow<{ node: string; line?: LogLineMessage }>(this.client, 'Logs', request, (m) => {
      if (m.line) onLine(m.node, m.line);
    });
  }

  close(): void {
    this.client.close();
  }
}

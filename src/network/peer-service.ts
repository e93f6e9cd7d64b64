import type * as grpc from '@grpc/grpc-js';
import { serverStream, unary } from '../api/grpc-handlers.js';
import { toUnitMessage } from '../api/supervisor-messages.js';
import type { SupervisorControl } from '../supervisor/control.js';
import type { Federation } from './federation.js';
import { streamLocalLogs, type LogsRequest } from './local-logs.js';
import type { ExchangeRequestMessage } from './network-messages.js';
import { parseUnitAction, runUnitAction } from './unit-action.js';

/**
 * Handlers of `ensemble.network.v1.Peer` (served on the TCP listener, behind
 * the network token / mTLS interceptor). Peers may exchange state, read unit
 * status and logs, and start, stop or restart units; nothing else of the
 * supervisor (no AddUnit, Reload or Shutdown) is reachable over the network.
 */
export function peerHandlers(federation: Federation, control: SupervisorControl): grpc.UntypedServiceImplementation {
  return {
    Exchange: unary((req: ExchangeRequestMessage, call) => federation.handleExchange(req, call.getPeer())),
    ListUnits: unary(() => ({ node: federation.node, units: control.listUnits().map(toUnitMessage) })),
    ControlUnit: unary(async (req: { unit: string; action: string }) => ({ unit: toUnitMessage(await runUnitAction(control, req.unit, parseUnitAction(req.action))) })),
    Logs: serverStream((req: LogsRequest, call) => {
      const unsubscribe = streamLocalLogs(control, req, (line) => call.write({ line }));
      if (!unsubscribe) {
        call.end();
        return;
      }
      return unsubscribe;
    }),
  };
}

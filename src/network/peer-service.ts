import type * as grpc from '@grpc/grpc-js';
import { droppedLinesMessage } from '../api/dropped-lines.js';
import { serverStream, unary } from '../wire/grpc-handlers.js';
import { StreamOutbox } from '../wire/stream-outbox.js';
import type { LogLineMessage } from '../api/supervisor-messages.js';
import { toUnitMessage } from '../api/supervisor-messages.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
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
      // Bounded per client (stream-outbox.ts): a slow peer loses lines and is told how many.
      const out = new StreamOutbox<{ line: LogLineMessage }>(call, { kind: 'lossy', gap: (n) => ({ line: droppedLinesMessage(req.unit, n) }) });
      const unsubscribe = streamLocalLogs(control, req, (line) => out.send({ line }));
      return out.follow(unsubscribe);
    }),
  };
}

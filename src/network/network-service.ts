import type * as grpc from '@grpc/grpc-js';
import { droppedLinesMessage } from '../api/dropped-lines.js';
import { serverStream, unary } from '../wire/grpc-handlers.js';
import { toServiceError } from '../wire/grpc-status.js';
import { StreamOutbox } from '../wire/stream-outbox.js';
import { toUnitMessage, type LogLineMessage } from '../api/supervisor-messages.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import type { Federation } from './federation.js';
import { streamLocalLogs, type LogsRequest } from './local-logs.js';
import { NodeNotFoundError } from './network-errors.js';
import type { NodeMessage, NodeUnitsMessage } from './network-messages.js';
import { parseUnitAction, runUnitAction } from './unit-action.js';

/** Deadline of the live unit listing asked of each peer by `ps --network`. */
export const LIST_UNITS_DEADLINE_MS = 5000;

/**
 * Handlers of `ensemble.network.v1.Network` (the operator's view, on the local
 * API socket). Without a network (`federation` null) it shows this node only
 * and every other node name is unknown.
 */
export function networkHandlers(control: SupervisorControl, federation: Federation | null): grpc.UntypedServiceImplementation {
  const self = (): string => control.status().node;
  const isSelf = (node: string): boolean => node === '' || node === self();
  const clientOf = (node: string) => {
    if (!federation) throw new NodeNotFoundError(node, [self()]);
    return federation.clientOf(node);
  };
  return {
    ListNodes: unary(() => {
      if (federation) return { network: federation.config.name, nodes: federation.nodes() };
      const units = control.listUnits().length;
      const node: NodeMessage = { name: self(), address: '', state: 'self', lastSeenMs: Date.now(), error: '', services: 0, units };
      return { network: '', nodes: [node] };
    }),
    ListUnits: unary(async () => {
      const local: NodeUnitsMessage = { node: self(), reachable: true, error: '', units: control.listUnits().map(toUnitMessage), lastSeenMs: Date.now() };
      if (!federation) return { nodes: [local] };
      const others = await Promise.all(
        federation.nodes().slice(1).map(async (n): Promise<NodeUnitsMessage> => {
          const base = { node: n.name, lastSeenMs: n.lastSeenMs };
          if (n.state !== 'alive') return { ...base, reachable: false, units: [], error: n.state === 'left' ? 'shut down' : n.error || 'unreachable' };
          try {
            const { units } = await federation.clientOf(n.name).listUnits(LIST_UNITS_DEADLINE_MS);
            return { ...base, reachable: true, units, error: '' };
          } catch (e) {
            return { ...base, reachable: false, units: [], error: (e as Error).message };
          }
        }),
      );
      return { nodes: [local, ...others] };
    }),
    ControlUnit: unary(async (req: { node: string; unit: string; action: string }) => {
      const action = parseUnitAction(req.action);
      if (isSelf(req.node)) return { node: self(), unit: toUnitMessage(await runUnitAction(control, req.unit, action)) };
      return { node: req.node, unit: await clientOf(req.node).controlUnit(req.unit, action, null) };
    }),
    Logs: serverStream((req: LogsRequest & { node: string }, call) => {
      // Bounded per client (stream-outbox.ts): a slow client loses lines and is told how many.
      const node = isSelf(req.node) ? self() : req.node;
      const out = new StreamOutbox<{ node: string; line: LogLineMessage }>(call, { kind: 'lossy', gap: (n) => ({ node, line: droppedLinesMessage(req.unit, n) }) });
      if (isSelf(req.node)) {
        const unsubscribe = streamLocalLogs(control, req, (line) => out.send({ node, line }));
        return out.follow(unsubscribe);
      }
      const upstream = clientOf(req.node).logs({ unit: req.unit, follow: req.follow, ...(req.tail === undefined ? {} : { tail: req.tail }) }, (line) =>
        out.send({ node, line }),
      );
      upstream.done.then(
        () => out.end(),
        (e: unknown) => call.emit('error', toServiceError(e)),
      );
      return () => {
        upstream.cancel();
        out.close();
      };
    }),
  };
}

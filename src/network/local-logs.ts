import type { LogLineMessage } from '../api/supervisor-messages.js';
import { toLogLineMessage } from '../api/supervisor-messages.js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';

/** A Logs request as the Peer and Network services take it. */
export interface LogsRequest {
  readonly unit: string;
  readonly tail?: number;
  readonly follow: boolean;
}

/**
 * Send this node's kept lines of `req.unit` ('' = every unit), then, with
 * `follow`, every new line. Returns the unsubscribe function when following,
 * else null (the caller ends the stream). Throws UnitNotFoundError.
 */
export function streamLocalLogs(control: SupervisorControl, req: LogsRequest, write: (line: LogLineMessage) => void): (() => void) | null {
  const units = req.unit === '' ? control.listUnits().map((u) => u.name) : [control.getUnit(req.unit).name];
  const n = req.tail ?? Number.MAX_SAFE_INTEGER;
  const tail = n === 0 ? [] : units.flatMap((u) => control.tailLogs(u, n)).sort((a, b) => a.time - b.time).slice(-n);
  // Subscribing in the same tick as the tail leaves no gap and no duplicate.
  const unsubscribe = req.follow ? control.subscribeLogs(req.unit === '' ? null : req.unit, (l) => write(toLogLineMessage(l))) : null;
  for (const line of tail) write(toLogLineMessage(line));
  return unsubscribe;
}

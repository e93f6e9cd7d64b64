import type { SupervisorTarget } from '../api/client-address.js';
import { formatTable, psRow } from './client-format.js';
import { controlOutcome, untilDone, withClient, writeLogLine, type ClientOptions, type VerbOutput } from './client-verbs.js';
import type { LogLineMessage, UnitMessage } from '../api/supervisor-messages.js';
import { InvalidArgumentError } from '../common/errors.js';
import { NetworkClient } from '../network/network-client.js';

/** `NODE/UNIT` split at the first `/`; a bare `UNIT` has node null (this node). */
export function parseNodeUnit(value: string): { node: string | null; unit: string } {
  const i = value.indexOf('/');
  if (i < 0) return { node: null, unit: value };
  const node = value.slice(0, i);
  const unit = value.slice(i + 1);
  if (node === '' || unit === '' || unit.includes('/')) throw new InvalidArgumentError(`"${value}" is not UNIT or NODE/UNIT`);
  return { node, unit };
}

const networkClient = (target: SupervisorTarget): NetworkClient => new NetworkClient(target);

/** One unit of `ps --network --json`. */
export type NetworkUnit = UnitMessage & { node: string };

/** The `ps --network` table: NODE, then the columns of `ps`. */
export function formatNetworkPsTable(units: readonly NetworkUnit[], now: number = Date.now()): string {
  const header = ['NODE', 'UNIT', 'STATE', 'PID', 'RESTARTS', 'CPU', 'MEMORY', 'UPTIME', 'ERROR'];
  return formatTable(header, units.map((u) => [u.node, ...psRow(u, now)]), new Set([3, 4, 5, 6, 7]));
}

/**
 * `supervisor ps --network [--json]`: every node's units with a NODE column
 * (this node first). An unreachable node is reported on stderr, one line
 * each; the exit code stays 0 (what could be reached is shown).
 */
export function networkPsVerb(opts: ClientOptions & { json?: boolean }, io: VerbOutput): Promise<number> {
  return withClient(opts, networkClient, async (c) => {
    const nodes = await c.listUnits();
    const units: NetworkUnit[] = nodes.flatMap((n) => n.units.map((u) => ({ ...u, node: n.node })));
    io.out(opts.json ? `${JSON.stringify(units, null, 2)}\n` : `${formatNetworkPsTable(units)}\n`);
    for (const n of nodes.filter((x) => !x.reachable)) {
      const ago = n.lastSeenMs ? `, last seen ${Math.round((Date.now() - n.lastSeenMs) / 1000)}s ago` : '';
      io.err(`supervisor: node ${n.node} is unreachable (${n.error}${ago}); its units are not shown\n`);
    }
    return 0;
  });
}

/** `supervisor start|stop|restart NODE/UNIT`: the unit on another node (through this node's supervisor). */
export function networkControlVerb(verb: 'start' | 'stop' | 'restart', node: string, unit: string, opts: ClientOptions, io: VerbOutput): Promise<number> {
  return withClient(opts, networkClient, async (c) => {
    const r = await c.control(node, unit, verb);
    io.out(controlOutcome(verb, `${r.node}/${r.unit.name}`, r.unit));
    return 0;
  });
}

/** `supervisor logs NODE/UNIT [-f] [-n N]`: like `logs UNIT`, for a unit on another node. */
export function networkLogsVerb(node: string, unit: string, opts: ClientOptions & { follow?: boolean; lines?: number }, io: VerbOutput): Promise<number> {
  return withClient(opts, networkClient, async (c) => {
    const write = (_node: string, l: LogLineMessage): void => {
      writeLogLine(io, l);
    };
    await untilDone(c.logs({ node, unit, follow: opts.follow === true, ...(opts.lines === undefined ? {} : { tail: opts.lines }) }, write));
    return 0;
  });
}

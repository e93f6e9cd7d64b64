import { formatElapsed } from '../common/duration.js';
import { formatBytes } from '../common/size.js';
import { shellQuoteName } from '../ensemble/unit-name.js';
import type { UnitMessage } from '../api/supervisor-messages.js';

/** States in which a unit has a running process (its uptime is shown). */
const RUNNING = new Set(['starting', 'ready', 'degraded', 'stopping']);

/** Longest error text shown by `ps` (the rest is cut with `…`). */
export const PS_ERROR_WIDTH = 48;

/** One `ps` row's cells; a name that is not one shell word is shown quoted (`'name with spaces'`), so the columns stay readable and the name can be pasted. */
export function psRow(u: UnitMessage, now: number): string[] {
  const error = u.error.replace(/\s+/g, ' ').trim();
  return [
    shellQuoteName(u.name),
    u.state,
    u.pid === undefined ? '-' : String(u.pid),
    String(u.restarts),
    u.cpuPercent === undefined ? '-' : `${u.cpuPercent.toFixed(1)}%`,
    u.memoryBytes === undefined ? '-' : formatBytes(u.memoryBytes),
    RUNNING.has(u.state) ? formatElapsed(now - u.sinceMs) : '-',
    error.length > PS_ERROR_WIDTH ? `${error.slice(0, PS_ERROR_WIDTH - 1)}…` : error,
  ];
}

/** The `ps` table: a header and one aligned row per unit (numbers right-aligned). */
export function formatPsTable(units: readonly UnitMessage[], now: number = Date.now()): string {
  const header = ['UNIT', 'STATE', 'PID', 'RESTARTS', 'CPU', 'MEMORY', 'UPTIME', 'ERROR'];
  return formatTable(header, units.map((u) => psRow(u, now)), new Set([2, 3, 4, 5, 6]));
}

/** A table: the header, then the rows, columns aligned two spaces apart (those in `right` right-aligned; the last column is not padded). */
export function formatTable(header: readonly string[], body: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const rows = [header, ...body];
  const widths = header.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, col) => (col === r.length - 1 ? cell : right.has(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

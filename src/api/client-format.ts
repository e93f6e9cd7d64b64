import { shellQuoteName } from '../ensemble/unit-name.js';
import type { UnitMessage } from './supervisor-messages.js';

/** `12.3 MiB`, `512 B`, `1.5 GiB` (binary units, one decimal below 100). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(value)} B`;
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${units[i]}`;
}

/** `45s`, `3m12s`, `2h05m`, `3d04h` (two most significant parts). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

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
    RUNNING.has(u.state) ? formatDuration(now - u.sinceMs) : '-',
    error.length > PS_ERROR_WIDTH ? `${error.slice(0, PS_ERROR_WIDTH - 1)}…` : error,
  ];
}

/** The `ps` table: a header and one aligned row per unit (numbers right-aligned). */
export function formatPsTable(units: readonly UnitMessage[], now: number = Date.now()): string {
  const header = ['UNIT', 'STATE', 'PID', 'RESTARTS', 'CPU', 'MEMORY', 'UPTIME', 'ERROR'];
  const right = new Set([2, 3, 4, 5, 6]);
  const rows = [header, ...units.map((u) => psRow(u, now))];
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

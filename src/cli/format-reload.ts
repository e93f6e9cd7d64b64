import type { ReloadResult, UnitReload } from '../supervisor/lifecycle/control.js';

const MARK: Record<UnitReload['change'], string> = { added: '+', removed: '-', changed: '~', unchanged: '=' };

/**
 * A reload result for people: one line per unit that is (or would be)
 * touched, `+` added, `-` removed, `~` changed, with the action and the fields
 * that differ (never values), a network line, then a summary line. Unchanged
 * units are counted, not listed, unless `all`.
 */
export function formatReload(r: ReloadResult, options: { all?: boolean } = {}): string {
  const shown = r.units.filter((u) => options.all || u.change !== 'unchanged');
  const width = Math.max(4, ...shown.map((u) => u.name.length));
  const lines = shown.map((u) => `${MARK[u.change]} ${u.name.padEnd(width)}  ${u.action.padEnd(7)}${describe(u)}`.trimEnd());
  if (r.network) lines.push(`! network  restart the supervisor to apply: ${r.network.fields.join(', ')}`);
  lines.push(summary(r));
  return `${lines.join('\n')}\n`;
}

function describe(u: UnitReload): string {
  if (u.change !== 'changed') return '';
  const fields = u.fields.join(', ');
  if (u.action === 'update') return `  ${fields} (live, same pid)`;
  if (u.action === 'keep') return `  ${fields} (stopped by an operator; applies at its next start)`;
  return `  ${fields}`;
}

function summary(r: ReloadResult): string {
  const count = (n: number, done: string, todo: string): string | null => (n === 0 ? null : `${n} ${r.applied ? done : todo}`);
  const kept = r.units.filter((u) => u.change === 'changed' && u.action === 'keep').length;
  const parts = [
    count(r.added.length, 'started', 'to start'),
    count(r.removed.length, 'stopped', 'to stop'),
    count(r.restarted.length, 'restarted', 'to restart'),
    count(r.updated.length, 'updated live', 'to update live'),
    count(kept, 'changed but kept stopped', 'changed but kept stopped'),
  ].filter((p): p is string => p !== null);
  const unchanged = `${r.unchanged.length} unchanged`;
  if (parts.length === 0 && !r.network) return r.applied ? `reloaded: no changes (${unchanged})` : `no changes (${unchanged})`;
  return `${r.applied ? 'reloaded' : 'diff'}: ${[...parts, unchanged].join(', ')}`;
}

import type { LogLineMessage } from './supervisor-messages.js';

/**
 * The line a log follower gets where lines were dropped because it did not
 * read fast enough (docs/logs.md "Slow followers"): stream `supervisor`,
 * `… N lines dropped: client too slow`.
 */
export function droppedLinesMessage(unit: string, dropped: number): LogLineMessage {
  return { unit, stream: 'supervisor', line: `… ${dropped} line${dropped === 1 ? '' : 's'} dropped: client too slow`, timeMs: Date.now() };
}

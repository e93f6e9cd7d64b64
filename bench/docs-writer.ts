import { readFileSync, writeFileSync } from 'node:fs';

/** The markers in docs/performance.md between which the harness writes its results. */
export const RESULTS_BEGIN = '<!-- bench:results:begin (written by npm run bench; do not edit by hand) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/** Replace what lies between the markers of `file` with `markdown`; throws when a marker is missing. */
export function writeResults(file: string, markdown: string): void {
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(RESULTS_BEGIN);
  const end = text.indexOf(RESULTS_END);
  if (begin < 0 || end < begin) throw new Error(`${file}: results markers not found`);
  const next = `${text.slice(0, begin + RESULTS_BEGIN.length)}\n\n${markdown.trim()}\n\n${text.slice(end)}`;
  writeFileSync(file, next);
}

/**
 * `npm run bench`: measures Ensemble against PM2, supervisord, runit, s6 and a
 * minimal Node supervisor in one run (see docs/performance.md and
 * `npm run bench -- --help`). Exits 1 when a process of the run survived its
 * peer's shutdown, 2 on a bad option.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResults } from './docs-writer.js';
import { runBench, type BenchResult } from './harness.js';
import { parseOptions, USAGE } from './options.js';
import { redact, renderMarkdown } from './report.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const result: BenchResult = options.from
  ? (JSON.parse(readFileSync(options.from, 'utf8')) as BenchResult)
  : await runBench(options, repoRoot, say);
// No path of this machine goes into the docs: the checkout, the run's directory and the home directory are replaced.
const markdown = redact(renderMarkdown(result), [
  [result.root, '<run dir>'],
  [repoRoot, '.'],
  [homedir(), '~'],
]);
process.stdout.write(`\n${markdown}`);
for (const t of result.targets) say(`${t.verdict.padEnd(4)} ${t.target}: ${t.figure}`);
if (options.json && !options.from) writeFileSync(options.json, JSON.stringify(result, null, 2));
if (options.docs && (!options.from || process.argv.includes('--docs'))) {
  writeResults(join(repoRoot, 'docs', 'performance.md'), markdown);
  say('results written to docs/performance.md');
}
if (result.leftovers.length > 0) {
  say(`FAIL: ${result.leftovers.length} process(es) survived their peer's shutdown (see above)`);
  process.exit(1);
}

/**
 * Writes grammar/diagrams.html: railroad diagrams of the Chevrotain grammar
 * (src/ensemble/syntax/parser.ts). The page is self-contained (scripts and
 * styles inlined from the installed chevrotain package): no network needed.
 * Run with `npm run grammar:diagrams`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { ensembleParser } from '../src/ensemble/syntax/parser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const chevrotainDir = path.resolve(path.dirname(require.resolve('chevrotain')), '../..');
const diagramsDir = path.join(chevrotainDir, 'diagrams');
const read = (rel: string): string => readFileSync(path.join(diagramsDir, rel), 'utf8');

let html = createSyntaxDiagramsCode(ensembleParser.getSerializedGastProductions(), { resourceBase: 'RESOURCE/', css: 'RESOURCE/diagrams.css' });
html = html.replace(/<link rel='stylesheet' href='RESOURCE\/diagrams\.css'>/, () => `<style>\n${read('diagrams.css')}\n</style>`);
for (const script of ['vendor/railroad-diagrams.js', 'src/diagrams_builder.js', 'src/diagrams_behavior.js', 'src/main.js']) {
  html = html.replace(`<script src='RESOURCE/${script}'></script>`, () => `<script>\n${read(script)}\n</script>`);
}
if (html.includes('RESOURCE/')) throw new Error('a diagrams resource was not inlined');
html = html.replace('<body>', '<body>\n<h1>The .ensemble grammar</h1>\n<p>Generated from src/ensemble/syntax/parser.ts by grammar/generate-diagrams.ts. See grammar/ensemble.ebnf and docs/language.md.</p>');
const out = path.join(here, 'diagrams.html');
writeFileSync(out, html);
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);

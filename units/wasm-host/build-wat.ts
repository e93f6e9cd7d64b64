/**
 * Build step: compile every `.wat` (WebAssembly text) under the given folders
 * (default `ensembles` and `test/fixtures/wasm`) into a `.wasm` next to it,
 * with the `wabt` package. Skips modules newer than their source; writes
 * atomically (temp file + rename) so parallel builds never see a torn module.
 *
 *   tsx units/wasm-host/build-wat.ts [DIR…]      (sources)
 *   node dist/units/wasm-host/build-wat.js [DIR…] (after tsc)
 */
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Every `.wat` file under `dir` (recursively). */
function watFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return watFiles(path);
    return name.endsWith('.wat') ? [path] : [];
  });
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** Compile the `.wat` files under `dirs`; returns the `.wasm` files written. */
export async function buildWat(dirs: readonly string[]): Promise<string[]> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const written: string[] = [];
  for (const wat of dirs.flatMap(watFiles)) {
    const out = wat.replace(/\.wat$/, '.wasm');
    if (mtime(out) >= mtime(wat)) continue;
    const module = wabt.parseWat(wat, readFileSync(wat, 'utf8'));
    try {
      module.validate();
      const { buffer } = module.toBinary({});
      const tmp = `${out}.${process.pid}.tmp`;
      writeFileSync(tmp, buffer);
      renameSync(tmp, out);
      written.push(out);
    } finally {
      module.destroy();
    }
  }
  return written;
}

const top = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository root, from `units/wasm-host/` or from `dist/units/wasm-host/`. */
const root = basename(top) === 'dist' ? dirname(top) : top;
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dirs = args.length > 0 ? args.map((d) => resolve(d)) : [join(root, 'ensembles'), join(root, 'test', 'fixtures', 'wasm')];
  buildWat(dirs).then(
    (files) => process.stdout.write(`build-wat: ${files.length} module(s) built\n`),
    (e: unknown) => {
      process.stderr.write(`build-wat: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

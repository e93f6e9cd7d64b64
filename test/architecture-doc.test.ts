import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/architecture.md is the map of the tree: every file and folder it names
// exists, and every folder of src/ and units/ is on it.

const root = fileURLToPath(new URL('..', import.meta.url));
const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
const TOP = ['src', 'units', 'test', 'bench', 'proto', 'grammar', 'ensembles', 'docs'];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules') continue;
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

const files = TOP.flatMap((d) => walk(d));
const folders = new Set(files.flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
const tracked = new Set(['.dependency-cruiser.cjs', '.dependency-cruiser-known-violations.json', 'eslint.config.js', 'package.json', ...files]);

/** Backticked names in the doc, each with the folder of the `### \`folder/\`` section it is in (null outside one). */
function namedPaths(): { name: string; section: string | null }[] {
  const out: { name: string; section: string | null }[] = [];
  let section: string | null = null;
  for (const line of doc.split('\n')) {
    const heading = /^###\s+`([^`]+)\/`/.exec(line);
    if (line.startsWith('#')) section = heading ? (heading[1] as string) : null;
    for (const m of line.matchAll(/`([^`\s]+)`/g)) {
      const name = (m[1] as string).replace(/\/$/, '');
      if (/^[\w.-]+(\/[\w.*<>-]+)*\.(ts|mjs|cjs|js|json|md|ebnf|proto)$/.test(name) || /^(src|units|test|bench|proto|grammar|ensembles)(\/|$)/.test(name)) {
        out.push({ name, section });
      }
    }
  }
  return out;
}

describe('docs/architecture.md', () => {
  it('names only files and folders that exist', () => {
    const missing: string[] = [];
    for (const { name, section } of namedPaths()) {
      if (name.includes('<') || name.includes('*')) continue; // a pattern such as units/<name>/ or units/*/main.ts
      if (tracked.has(name) || folders.has(name)) continue;
      // A name relative to the section's folder, or to any folder outside a section.
      const within = (f: string): boolean => f.endsWith(`/${name}`) && (section === null || f.startsWith(`${section}/`));
      if (files.some(within) || [...folders].some(within)) continue;
      missing.push(section ? `${name} (in ${section}/)` : name);
    }
    expect(missing).toEqual([]);
  });

  it('describes every folder of src/ and units/', () => {
    const top = [...folders].filter((f) => /^(src|units)\/[^/]+$/.test(f));
    const absent = top.filter((f) => !doc.includes(`\`${f}/\``) && !doc.includes(`\`${f}\``));
    expect(absent).toEqual([]);
    expect(top.length).toBeGreaterThan(5);
  });

  it('names every file directly in src/', () => {
    const rootFiles = files.filter((f) => /^src\/[^/]+\.ts$/.test(f)).map((f) => relative('src', f));
    const absent = rootFiles.filter((f) => !doc.includes(`src/${f}`) && !doc.includes(`\`${f}\``));
    expect(absent).toEqual([]);
  });
});

import path from 'node:path';
import { renderSource } from './liquid-render.js';
import { readSourceFile } from './read-source-file.js';
import type { Reporter } from './reporter.js';
import type { RealPosition } from './source-map.js';
import type { SourceRegistry } from './source-registry.js';
import type { StatementNode } from './syntax/ast.js';
import { parseSource } from './syntax/parse-source.js';

/** The statements of a file and everything it imports, in declaration order. */
export interface LoadedSources {
  /** Import statements are replaced by the imported file's statements. */
  readonly statements: StatementNode[];
  /** True when a whole file could not be read or rendered (checks that need every name are relaxed). */
  readonly incomplete: boolean;
}

/** What loading needs. */
export interface LoadContext {
  readonly registry: SourceRegistry;
  readonly reporter: Reporter;
  readonly variables: Record<string, unknown>;
}

/**
 * Read, render and parse the root file and, depth first, every import
 * (relative to the importing file). A file imported twice is read once;
 * an import that leads back to a file being read is a cycle error. Only
 * regular files of at most 16 MiB of UTF-8 text are read (read-source-file.ts);
 * anything else is one error saying what it is.
 */
export async function loadSources(root: string, ctx: LoadContext): Promise<LoadedSources> {
  const done = new Set<string>();
  let incomplete = false;

  const load = async (file: string, stack: string[], from: { pos: RealPosition; written: string } | null): Promise<StatementNode[]> => {
    const read = await readSourceFile(file);
    if (!read.ok) {
      incomplete = true;
      if (from) ctx.reporter.report('ENS_E_IMPORT', from.pos, `cannot import "${from.written}": ${read.problem} (looked for ${file})`);
      else ctx.reporter.report('ENS_E_IMPORT', { file, line: 1, column: 1 }, `cannot read the ensemble file: ${read.problem}`);
      return [];
    }
    const text = read.text;
    done.add(file);
    ctx.registry.add(file, text);
    const rendered = await renderSource({ file, text, registry: ctx.registry, variables: ctx.variables, diagnostics: ctx.reporter.diagnostics });
    if (!rendered) {
      incomplete = true;
      return [];
    }
    const statements = parseSource(rendered, { file, compose: null }, ctx.reporter);
    const out: StatementNode[] = [];
    for (const st of statements) {
      if (st.type !== 'import') {
        out.push(st);
        continue;
      }
      const target = path.resolve(path.dirname(file), st.path);
      const chain = [...stack, file];
      if (chain.includes(target)) {
        const cycle = [...chain.slice(chain.indexOf(target)), target].map((f) => path.basename(f)).join(' → ');
        ctx.reporter.report('ENS_E_IMPORT', st.pos, `import cycle: ${cycle}`);
        continue;
      }
      if (done.has(target)) continue;
      // A loop, not push(...): a spread of a large imported file would exceed the argument limit.
      for (const imported of await load(target, chain, { pos: st.pos, written: st.path })) out.push(imported);
    }
    return out;
  };

  const statements = await load(root, [], null);
  return { statements, incomplete };
}

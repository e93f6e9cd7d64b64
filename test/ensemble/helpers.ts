import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPlan, PlanError, type Diagnostic, type LoadOptions, type Plan } from '../../src/ensemble/index.js';
import { makeTempDir } from '../helpers/temp-home.js';

/** A temp directory with files; remove it with `cleanup()`. */
export interface Workspace {
  readonly dir: string;
  write(name: string, text: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const scratch = makeTempDir('ensemble-lang-');
  const dir = scratch.dir;
  return {
    dir,
    async write(name, text) {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    cleanup: async () => scratch.cleanup(),
  };
}

const baseOptions: LoadOptions = { node: 'edge-1', env: { SITE: 'lab', ENSEMBLE_TOKEN: 's3cret' } };

/** Load a plan that must be valid. */
export async function ok(file: string, options: LoadOptions = {}): Promise<Plan> {
  return loadPlan(file, { ...baseOptions, ...options });
}

/** Load a plan that must fail; returns its diagnostics. */
export async function errors(file: string, options: LoadOptions = {}): Promise<Diagnostic[]> {
  try {
    await loadPlan(file, { ...baseOptions, ...options });
  } catch (e) {
    if (e instanceof PlanError) return e.diagnostics;
    throw e;
  }
  throw new Error(`expected ${file} to have errors`);
}

/** `basename:line:col: CODE` of each diagnostic, for compact assertions. */
export function where(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${path.basename(d.file)}:${d.line}:${d.column}: ${d.code}`);
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlan, PlanError } from '../../src/ensemble/index.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../grammar/corpus');
const options = { node: 'edge-1', env: { SITE: 'lab', ENSEMBLE_TOKEN: 'corpus-token' }, params: {} };
const list = (dir: string): string[] => readdirSync(path.join(corpus, dir)).filter((f) => f.endsWith('.ensemble')).sort();

describe('grammar corpus: every valid file checks', () => {
  it.each(list('valid'))('%s', async (name) => {
    const plan = await loadPlan(path.join(corpus, 'valid', name), options);
    expect(plan.units.length).toBeGreaterThan(0);
  });
});

describe('grammar corpus: every invalid file yields its expected diagnostics', () => {
  it.each(list('invalid'))('%s', async (name) => {
    const file = path.join(corpus, 'invalid', name);
    const expected = readFileSync(file.replace(/\.ensemble$/, '.expected'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    let actual: string[] = [];
    try {
      await loadPlan(file, options);
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      actual = e.diagnostics.map((d) => `${d.file === file ? '' : `${path.relative(path.dirname(file), d.file)}:`}${d.line}:${d.column}: ${d.code}`);
    }
    expect(actual).toEqual(expected);
  });
});

import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/run-ensemble.js';
import { runCli } from '../helpers/run-cli.js';

function ensembleFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return ensembleFiles(path);
    return name.endsWith('.ensemble') ? [path] : [];
  });
}

const files = ensembleFiles(join(ROOT, 'ensembles'));

describe('every file in ensembles/', () => {
  it('includes the default system and the Tinkwell-style examples', () => {
    const names = files.map((f) => relative(ROOT, f)).sort();
    expect(names).toEqual(expect.arrayContaining(['ensembles/system.ensemble', 'ensembles/examples/tinkwell-plant.ensemble']));
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s passes supervisor check', async (_name, file) => {
    const r = await runCli(['check', file], { cwd: ROOT, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: /);
  });

  it('the example renders with its optional shell when asked (Liquid {% if %} and --set)', async () => {
    const file = join(ROOT, 'ensembles', 'examples', 'tinkwell-plant.ensemble');
    const render = async (...set: string[]) => {
      const r = await runCli(['render', file, '--json', ...set.flatMap((s) => ['--set', s])], { cwd: ROOT, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { units: { name: string; services: { name: string }[] }[] };
    };
    const plain = await render();
    expect(plain.units.map((u) => u.name)).not.toContain('shell');
    expect(plain.units.find((u) => u.name === 'apps')?.services.map((s) => s.name)).toEqual(['fast', 'slow']);
    const withShell = await render('with_shell=true');
    expect(withShell.units.map((u) => u.name)).toContain('shell');
  });
});

import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileUnitBounded, loadPlanBounded } from '../../src/ensemble/bounded-compile.js';
import { formatDiagnostic, loadPlan, PlanError } from '../../src/ensemble/index.js';
import { DEFAULT_RENDER_BUDGET, parseRenderBudget, renderBudgetFromEnv } from '../../src/ensemble/render-budget.js';
import { MAX_INCLUDE_DEPTH } from '../../src/ensemble/template-limits.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { errors, workspace, type Workspace } from './helpers.js';

// The real built binary, as in test/cli/check-render.test.ts (build before running).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function cli(args: string[], cwd: string): Promise<CliResult> {
  return runCli(args, { from: 'dist', cwd, maxBuffer: 16 * 1024 * 1024 });
}

/** Nothing that looks like a JavaScript or native stack trace. */
function expectNoTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at |FATAL ERROR|<--- JS stacktrace|node::|v8::/m);
}

const HUGE_LOOP = `{% for i in (1..1000000000000000000) %}{% endfor %}\nrunner a "sleep" { arguments: "100" }\n`;
/** 10^9 empty iterations: ends only by the render limit. */
const SLOW_LOOP = `runner a "sleep" { arguments: "100" }\n{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}\n`;
/** 200 MB of generated text: more than any memory budget here. */
const FAT = `{% for i in (1..100000) %}// ${'x'.repeat(2000)}\n{% endfor %}\nrunner a "sleep" {}\n`;

/** The error a compile that must fail throws. */
async function failure(p: Promise<unknown>): Promise<PlanError> {
  const e = await p.then(
    () => new Error('the compile succeeded'),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(PlanError);
  return e as PlanError;
}

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.cleanup();
});

describe('render budget values', () => {
  it('parses durations and sizes, keeps defaults, refuses bad or out-of-range values with one line naming the flag', () => {
    expect(parseRenderBudget({})).toMatchObject({ timeoutMs: 10_000, memoryBytes: 256 * 1024 * 1024 });
    expect(parseRenderBudget({ timeout: '5s', memory: '1GiB' })).toMatchObject({ timeoutMs: 5000, memoryBytes: 1024 ** 3 });
    expect(() => parseRenderBudget({ timeout: '5' })).toThrow(/^--render-timeout expects a duration/);
    expect(() => parseRenderBudget({ timeout: '1ms' })).toThrow(/--render-timeout/);
    expect(() => parseRenderBudget({ memory: '1MB' })).toThrow(/^--render-memory expects a size from 64MiB/);
    expect(renderBudgetFromEnv({ ENSEMBLE_RENDER_TIMEOUT: '3s' })).toMatchObject({ timeoutMs: 3000, memoryBytes: DEFAULT_RENDER_BUDGET.memoryBytes });
    expect(() => renderBudgetFromEnv({ ENSEMBLE_RENDER_MEMORY: 'lots' })).toThrow(/^ENSEMBLE_RENDER_MEMORY expects a size/);
  });
});

describe('Liquid limits (in process)', () => {
  it('refuses a range of 10^18 items at once, at the loop, naming the memory budget', async () => {
    const file = await ws.write('system.ensemble', HUGE_LOOP);
    const [d, ...rest] = await errors(file);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'ENS_E_TEMPLATE', file, line: 1, column: 1 });
    expect(d?.message).toMatch(/^template error: memory limit of 256 MiB exceeded \(more than 8388608 range items/);
  });

  it('ends a loop that runs too long at the render limit, at the loop', async () => {
    const file = await ws.write('system.ensemble', SLOW_LOOP);
    const [d, ...rest] = await errors(file, { budget: parseRenderBudget({ timeout: '200ms' }) });
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'ENS_E_TEMPLATE', file, line: 2 });
    expect(d?.message).toBe('template error: render limit of 200 ms exceeded (raise it with --render-timeout)');
  });

  it.each(['include', 'render', 'layout'])('stops a file that renders itself with the %s tag, at the tag, naming the file', async (tag) => {
    const file = await ws.write('self.ensemble', `runner a "sleep" {}\n{% ${tag} "self.ensemble" %}\n`);
    const [d, ...rest] = await errors(file);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'ENS_E_TEMPLATE', file, line: 2, column: 1, sourceLine: `{% ${tag} "self.ensemble" %}` });
    expect(d?.message).toBe(`template error: {% ${tag} %} nested more than ${MAX_INCLUDE_DEPTH} deep (self.ensemble includes itself, directly or through other files)`);
  });

  it('stops includes that form a cycle through another file, at the tag in the included file', async () => {
    const file = await ws.write('system.ensemble', `runner a "sleep" {}\n{% include "a.liquid" %}\n`);
    await ws.write('a.liquid', `{% include "b.liquid" %}\n`);
    const b = await ws.write('b.liquid', `// b\n  {% include "a.liquid" %}\n`);
    const [d] = await errors(file);
    expect(d).toMatchObject({ file: b, line: 2, column: 3, sourceLine: '  {% include "a.liquid" %}' });
    expect(d?.message).toContain(`nested more than ${MAX_INCLUDE_DEPTH} deep`);
  });

  it('lets a recursion that ends before the limit through', async () => {
    const file = await ws.write('system.ensemble', `{% include "count.liquid", n: 10 %}\n`);
    await ws.write('count.liquid', `{% if n > 0 %}runner u{{ n }} "sleep" {}\n{% assign m = n | minus: 1 %}{% include "count.liquid", n: m %}{% endif %}`);
    const plan = await loadPlan(file);
    expect(plan.units.map((u) => u.name)).toEqual(['u10', 'u9', 'u8', 'u7', 'u6', 'u5', 'u4', 'u3', 'u2', 'u1']);
  });

  it('stops a compose template that includes itself, in the template', async () => {
    const file = await ws.write('system.ensemble', `compose loop x "sleep" { a: "1" }\n`);
    const template = await ws.write('compose_loop.liquid', `runner {{ name }} "{{ path }}" {}\n{% include "compose_loop.liquid" %}\n`);
    const [d, ...rest] = await errors(file);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'ENS_E_TEMPLATE', file: template, line: 2, column: 1 });
    expect(d?.message).toContain('(compose_loop.liquid includes itself');
  });
});

describe('bounded compile (child process)', () => {
  it('gives the same plan as in process: the Plan and diagnostics cross as plain data', async () => {
    const ensembles = path.join(root, 'ensembles');
    const files = readdirSync(ensembles).filter((f) => f.endsWith('.ensemble')).map((f) => path.join(ensembles, f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const options = { node: 'edge-1', env: { ENSEMBLE_TOKEN: 't', SITE: 'lab' } };
      const local = await loadPlan(file, options).catch((e: unknown) => e);
      // structuredClone is what the IPC channel does: it must lose nothing.
      if (!(local instanceof Error)) expect(structuredClone(local)).toEqual(local);
      const bounded = await loadPlanBounded(file, options).catch((e: unknown) => e);
      if (local instanceof PlanError) {
        expect(bounded).toBeInstanceOf(PlanError);
        expect((bounded as PlanError).diagnostics).toEqual(local.diagnostics);
      } else {
        expect(bounded).toEqual(local);
      }
    }
    const bad = await ws.write('bad.ensemble', `runner a "sleep" { restart { backoff: 5 } }\nrunner b "x" { depends_on: [ghost] }\n`);
    const local = await failure(loadPlan(bad));
    const bounded = await failure(loadPlanBounded(bad));
    expect(bounded).toBeInstanceOf(PlanError);
    expect(bounded.diagnostics.length).toBeGreaterThan(1);
    expect(bounded.diagnostics).toEqual(local.diagnostics);
  });

  it('ends a compile that outlives the time budget (the child is killed) with one diagnostic naming the limit', async () => {
    // 200,000 plain runners: no Liquid, so only the kill can end it within 10 ms.
    const file = await ws.write('big.ensemble', Array.from({ length: 200_000 }, (_, i) => `runner u${i} "sleep" {}\n`).join(''));
    const e = await failure(loadPlanBounded(file, { budget: parseRenderBudget({ timeout: '10ms' }) }));
    expect(e).toBeInstanceOf(PlanError);
    expect(e.diagnostics).toEqual([{ code: 'ENS_E_RESOURCE_EXHAUSTED', file, line: 1, column: 1, message: 'render limit of 10 ms exceeded (raise it with --render-timeout)' }]);
  });

  it('ends a compile that outgrows the memory budget (the child runs out of heap) with one diagnostic naming the limit', async () => {
    const file = await ws.write('fat.ensemble', FAT);
    const e = await failure(loadPlanBounded(file, { budget: parseRenderBudget({ timeout: '10m', memory: '64MiB' }) }));
    expect(e).toBeInstanceOf(PlanError);
    expect(e.diagnostics).toEqual([{ code: 'ENS_E_RESOURCE_EXHAUSTED', file, line: 1, column: 1, message: 'memory limit of 64 MiB exceeded (raise it with --render-memory)' }]);
    // Without a source line, the diagnostic is one line.
    expect(formatDiagnostic(e.diagnostics[0]!).split('\n')).toHaveLength(1);
  });

  it('compiles an AddUnit runner, and refuses a pathological one with the limit', async () => {
    const plan = await loadPlan(await ws.write('system.ensemble', `runner a "sleep" {}\n`));
    const unit = await compileUnitBounded(`runner b "sleep" { depends_on: [a] }`, { baseDir: ws.dir, plan });
    expect(unit).toMatchObject({ name: 'b', dependsOn: ['a'] });
    const e = await failure(compileUnitBounded(`{% for i in (1..1000000000000000000) %}{% endfor %}runner c "sleep" {}`, { baseDir: ws.dir, plan }));
    expect(e).toBeInstanceOf(PlanError);
    expect(e.message.split('\n')[0]).toMatch(/^<snippet>:1:1: template error: memory limit of 256 MiB exceeded/);
  });
});

describe('supervisor check and render obey the budget', { timeout: 120_000 }, () => {
  it('check with the default budget: a 10^18 loop ends with one error, exit 1, no trace', async () => {
    await ws.write('system.ensemble', HUGE_LOOP);
    const r = await cli(['check', 'system.ensemble'], ws.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectNoTrace(r.stderr);
    expect(r.stderr.split('\n')[0]).toMatch(/^system\.ensemble:1:1: template error: memory limit of 256 MiB exceeded \(.*raise it with --render-memory\)$/);
    expect(r.stderr).toContain('system.ensemble: 1 error\n');
  });

  it('check and render of a self-including file end with the diagnostic at the tag', async () => {
    await ws.write('self.ensemble', `runner a "sleep" {}\n{% include "self.ensemble" %}\n`);
    for (const verb of [['check'], ['render'], ['render', '--json']]) {
      const r = await cli([...verb, 'self.ensemble'], ws.dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expectNoTrace(r.stderr);
      expect(r.stderr.split('\n')[0]).toBe(`self.ensemble:2:1: template error: {% include %} nested more than ${MAX_INCLUDE_DEPTH} deep (self.ensemble includes itself, directly or through other files)`);
    }
  });

  it('render of a 10^18 loop and check of a long loop end at their limit; flags lower and raise the budget', async () => {
    await ws.write('huge.ensemble', HUGE_LOOP);
    const huge = await cli(['render', 'huge.ensemble'], ws.dir);
    expect(huge.code).toBe(1);
    expectNoTrace(huge.stderr);
    expect(huge.stderr.split('\n')[0]).toMatch(/^huge\.ensemble:1:1: template error: memory limit of 256 MiB exceeded/);

    await ws.write('slow.ensemble', SLOW_LOOP);
    const slow = await cli(['check', '--render-timeout', '300ms', 'slow.ensemble'], ws.dir);
    expect(slow.code).toBe(1);
    expectNoTrace(slow.stderr);
    expect(slow.stderr.split('\n')[0]).toMatch(/^slow\.ensemble:2:\d+: template error: render limit of 300 ms exceeded \(raise it with --render-timeout\)$/);

    await ws.write('fat.ensemble', FAT);
    const fat = await cli(['check', '--render-memory', '64MiB', '--render-timeout', '10m', 'fat.ensemble'], ws.dir);
    expect(fat.code).toBe(1);
    expectNoTrace(fat.stderr);
    expect(fat.stderr).toBe('fat.ensemble:1:1: memory limit of 64 MiB exceeded (raise it with --render-memory)\nfat.ensemble: 1 error\n');

    await ws.write('system.ensemble', `runner a "sleep" {}\n{% for i in (1..3) %}runner u{{ i }} "sleep" {}\n{% endfor %}\n`);
    const good = await cli(['check', '--render-timeout', '30s', '--render-memory', '512MiB', 'system.ensemble'], ws.dir);
    expect(good).toMatchObject({ code: 0, stderr: '' });
    expect(good.stdout).toContain('4 units');

    const badFlag = await cli(['render', '--render-memory', '12', 'system.ensemble'], ws.dir);
    expect(badFlag).toMatchObject({ code: 1, stdout: '' });
    expect(badFlag.stderr).toBe('supervisor: --render-memory expects a size from 64MiB to 16GiB such as "512MiB", got "12"\n');
  });
});

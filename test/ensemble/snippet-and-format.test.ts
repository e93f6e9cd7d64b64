import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateCondition } from '../../src/ensemble/condition/evaluate-condition.js';
import { compileUnitSnippet, formatDiagnostic, PlanError, renderPlanText, SNIPPET_FILE } from '../../src/ensemble/index.js';
import { templateScope } from '../../src/ensemble/template-scope.js';
import { ok, workspace, type Workspace } from './helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.cleanup();
});

describe('compileUnitSnippet (AddUnit)', () => {
  it('compiles one runner against an existing plan', async () => {
    const plan = await ok(await ws.write('a.ensemble', 'runner store "@ensemble/store"\n'));
    const u = await compileUnitSnippet('runner api "./api.js" { depends_on: [store] }', { baseDir: ws.dir, plan });
    expect(u).toMatchObject({ name: 'api', command: path.join(ws.dir, 'api.js'), dependsOn: ['store'] });
  });

  it('rejects existing names, unknown dependencies and more than one statement', async () => {
    const plan = await ok(await ws.write('a.ensemble', 'runner store "@ensemble/store"\n'));
    const fail = async (text: string): Promise<string[]> => {
      try {
        await compileUnitSnippet(text, { baseDir: ws.dir, plan });
      } catch (e) {
        if (e instanceof PlanError) return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
        throw e;
      }
      throw new Error('expected an error');
    };
    expect(await fail('runner store "x"')).toEqual([`${SNIPPET_FILE}:1:8: a unit named "store" already exists in the running plan`]);
    expect(await fail('runner a "x" { depends_on: [nope] }')).toEqual([`${SNIPPET_FILE}:1:29: depends_on: unknown unit "nope"`]);
    expect((await fail('runner a "x"\nrunner b "y"'))[0]).toMatch(/exactly one runner statement/);
    expect((await fail('runner a "x" if "false"'))[0]).toMatch(/condition is false/);
  });
});

describe('diagnostic format', () => {
  it('prints file:line:col: message, the source line and a caret', () => {
    const text = formatDiagnostic({ code: 'ENS_E_VALIDATION', file: path.join(process.cwd(), 'x.ensemble'), line: 3, column: 5, message: 'bad', sourceLine: '\tab cdef' });
    expect(text).toBe('x.ensemble:3:5: bad\n  \tab cdef\n  \t   ^');
  });

  it('render masks the network token', async () => {
    const plan = await ok(await ws.write('a.ensemble', 'network n { token: "s3cret" }\nrunner a "a"\n'));
    const text = renderPlanText(plan);
    expect(text).not.toContain('s3cret');
    expect(text).toContain('token ********');
  });
});

describe('condition language', () => {
  const scope = templateScope({ node: 'n1', env: { A: '5', S: 'x' }, params: { p: 'on' } });
  it.each([
    ["platform == platform", true],
    ["env.A > 3 and env.A <= 5", true],
    ["env.A == 5", true],
    ["not (params.p != 'on') || false", true],
    ["'abc' < 'abd'", true],
    ["env.MISSING == 'x'", false],
    ['node = "n1"', true],
  ])('%s → %s', (text, expected) => {
    expect(evaluateCondition(text, scope)).toBe(expected);
  });
  it.each([
    ['env.S', /must be true or false/],
    ['1 == ', /expected a value/],
    ['a < b < c', /unknown variable|cannot be chained/],
    ["'x' and true", /needs true or false/],
    ['(true', /expected "\)"/],
    ["'open", /unterminated string/],
    ['1 == 1 == 1', /cannot be chained/],
  ])('rejects %s', (text, message) => {
    expect(() => evaluateCondition(text, scope)).toThrow(message);
  });
});

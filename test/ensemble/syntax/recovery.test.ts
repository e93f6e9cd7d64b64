import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errors, ok, workspace, type Workspace } from '../helpers.js';

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.cleanup();
});

/** `line:col CODE message` of each diagnostic of a file that must fail. */
async function diagnostics(text: string): Promise<string[]> {
  const f = await ws.write('a.ensemble', text);
  return (await errors(f)).map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`);
}

const EXPECTED_VALUE = 'ENS_E_PARSE expected a value (string, number, boolean, duration, size, percent, name, list or block)';

describe('syntax error recovery: only the syntax error, where it is', () => {
  it('reports a missing value inside a nested block once, at the token that is not a value', async () => {
    expect(await diagnostics('runner a "x" { properties { x: } }\n')).toEqual([`1:32 ${EXPECTED_VALUE}, found "}"`]);
  });

  it('reports a missing field value once, at the token that is not a value', async () => {
    expect(await diagnostics('runner a "x" { arguments: }\n')).toEqual([`1:27 ${EXPECTED_VALUE}, found "}"`]);
  });

  it('reports a missing value on the next line at that line, in runners, service runners and networks', async () => {
    expect(await diagnostics('runner "x.js" {\n  arguments:\n}\n')).toEqual([`3:1 ${EXPECTED_VALUE}, found "}"`]);
    expect(await diagnostics('runner a "x" { service runner s "y" { properties { x: } } }\n')).toEqual([`1:55 ${EXPECTED_VALUE}, found "}"`]);
    expect(await diagnostics('network n { listen: }\n')).toEqual([`1:21 ${EXPECTED_VALUE}, found "}"`]);
  });

  it('reports a key without a value once', async () => {
    expect(await diagnostics('runner a "x" {\n  properties { x }\n}\n')).toEqual(['2:18 ENS_E_PARSE expected ":" or "{", found "}"']);
  });

  it('does not report a unit whose statement has a syntax error as unknown to its dependents', async () => {
    expect(await diagnostics('runner a "x" { watchdog: }\nrunner b "y" { depends_on: [a] }\n')).toEqual([`1:26 ${EXPECTED_VALUE}, found "}"`]);
  });

  it('reports a missing "}" at the end of the file after the last token, and nothing else', async () => {
    expect(await diagnostics('runner a "x" {\n  env { A: "1" }\n')).toEqual(['2:17 ENS_E_PARSE expected "}", found the end of the file']);
    expect(await diagnostics('compose service s "s.js" {\n  port: 1\n')).toEqual(['2:10 ENS_E_PARSE expected "}", found the end of the file']);
    expect(await diagnostics('network n {\n  listen: "127.0.0.1:7600"\n')).toEqual(['2:27 ENS_E_PARSE expected "}", found the end of the file']);
  });

  it('reports a stray token between statements and still checks the statements after it', async () => {
    expect(await diagnostics('runner a "x" { depends_on: [b] }\n}\nrunner b "y" { watchdog: 5 }\n')).toEqual([
      '2:1 ENS_E_PARSE expected a statement (import, runner, compose or network), found "}"',
      '3:26 ENS_E_VALIDATION watchdog: expected a duration such as "250ms" or "30s", got the number 5',
    ]);
  });

  it('reports a missing value between two commas of a list at the second comma, then one error where parsing resumes', async () => {
    expect(await diagnostics('runner a "x" {\n  depends_on: [b, , c]\n}\nrunner b "y" {}\nrunner c "z" {}\n')).toEqual([
      '2:19 ENS_E_PARSE expected "]", found ","',
      '2:21 ENS_E_PARSE expected a field (name: value, or name { … }) or a service runner, found "c"',
    ]);
  });

  it('reports a syntax error in text a Liquid loop repeats once, at its line in the template', async () => {
    expect(await diagnostics('{% for i in (1..3) %}\nrunner u{{ i }} "x" { arguments: }\n{% endfor %}\nrunner z "{{ node }}" {\n  properties { x: }\n}\n')).toEqual([
      `2:34 ${EXPECTED_VALUE}, found "}"`,
      `5:19 ${EXPECTED_VALUE}, found "}"`,
    ]);
  });

  it('accepts a trailing comma in a list (commas are optional separators)', async () => {
    const plan = await ok(await ws.write('a.ensemble', 'runner a "x" { depends_on: [b, ] }\nrunner b "y" {}\n'));
    expect(plan.units.map((u) => [u.name, u.dependsOn])).toEqual([
      ['b', []],
      ['a', ['b']],
    ]);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/supervisor-child.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

// Issue 12, rows 3 and 4: the language front end degrades into diagnostics,
// never into stack traces, unbounded output, or a read that blocks. Each
// case runs the real `supervisor check` on a file generated here.

interface Checked {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
});
afterEach(() => {
  home.cleanup();
});

/**
 * `supervisor check FILE` (run in the temp home). The compile budget is
 * raised so that a slow, shared machine measures the front end, not the
 * budget (render-budget.test.ts covers the budget). A check that does not
 * end within the generous deadline is killed, and the test fails.
 */
async function check(file: string, deadlineMs = 150_000): Promise<Checked> {
  const child = spawnCli(home, ['check', file, '--render-timeout', '120s', '--render-memory', '2GiB']);
  const timer = setTimeout(() => child.kill(), deadlineMs);
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  expect(signal, `check ${file} was killed after ${deadlineMs} ms`).toBeNull();
  return { code, stdout: child.records.map((r) => String(r.msg ?? JSON.stringify(r))).join('\n'), stderr: child.stderr() };
}

/**
 * A failed check that degraded cleanly: exit 1, no trace of an internal
 * error, every line short (quoted source lines are windows), at most 100
 * diagnostics, and the closing count line. Returns the diagnostics' first lines.
 */
function clean(r: Checked, file: string): string[] {
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/RangeError|internal error|Maximum call stack|\n\s+at /);
  expect(r.stderr.length).toBeLessThan(100 * 3 * 600);
  const lines = r.stderr.trimEnd().split('\n');
  for (const line of lines) expect(line.length).toBeLessThan(600);
  expect(lines[lines.length - 1]).toMatch(new RegExp(`^${file}: \\d+ errors?$`));
  const heads = lines.filter((l) => l.startsWith(`${file}:`) && !/: \d+ errors?$/.test(l));
  expect(heads.length).toBeGreaterThan(0);
  expect(heads.length).toBeLessThanOrEqual(100);
  return heads;
}

const deep = (open: string, close: string, n: number, inner = ''): string => open.repeat(n) + inner + close.repeat(n);

describe('nesting', () => {
  it.each([
    ['400 nested blocks', `runner a "a.js" {\n  properties ${deep('{ x ', '} ', 400, '{ y: 1 }')}\n}\n`],
    ['10,000 nested blocks', `runner a "a.js" {\n  properties ${deep('{ x ', '} ', 10_000, '{ y: 1 }')}\n}\n`],
    ['10,000 nested lists', `runner a "a.js" {\n  properties { l: ${deep('[', ']', 10_000, '1')} }\n}\n`],
    ['10,000 nested service runners', `runner h "./h.js" {\n  ${deep('service runner s "@ensemble/x" { ', '} ', 10_000)}\n}\n`],
  ])('%s: one diagnostic at the level too deep, no stack overflow', async (_what, text) => {
    home.write('deep.ensemble', text);
    const heads = clean(await check('deep.ensemble'), 'deep.ensemble');
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatch(/^deep\.ensemble:2:\d+: nesting deeper than 100 levels \(blocks, lists and runner bodies\)$/);
  });

  it('keeps reading after a statement nested too deeply, and every later stage takes the deepest nesting allowed', async () => {
    // 100 levels (the body, 98 blocks, a block and a list) pass through compile, validation and render; the next statement's error is still found.
    const ok = `runner a "a.js" {\n  properties ${deep('{ x ', '} ', 97, '{ y: [1] }')}\n}\n`;
    home.write('ok.ensemble', ok);
    const good = await check('ok.ensemble');
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    const render = spawnCli(home, ['render', '--json', 'ok.ensemble', '--render-timeout', '120s']);
    expect((await render.exited).code).toBe(0);
    expect(render.stderr()).toBe('');
    home.write('two.ensemble', `runner a "a.js" { properties { l: ${deep('[', ']', 500)} } }\nrunner b "b.js" { nope: 1 }\n`);
    const heads = clean(await check('two.ensemble'), 'two.ensemble');
    expect(heads).toEqual([expect.stringMatching(/^two\.ensemble:1:\d+: nesting deeper than 100 levels/), expect.stringMatching(/^two\.ensemble:2:19: unknown field "nope"/)]);
  });

  it('stops after 10 statements nested too deeply (each costs an unwinding of the parser)', async () => {
    home.write('many.ensemble', `runner a "a.js" { properties { l: ${deep('[', ']', 101)} } }\n`.repeat(5_000));
    const r = await check('many.ensemble');
    const heads = clean(r, 'many.ensemble');
    expect(heads).toHaveLength(11);
    expect(heads[10]).toMatch(/^many\.ensemble:11:1: 10 statements nest too deeply: the rest of the file is not read$/);
  });

  it('recovers from an error inside deep nesting without scanning the rest of the file once per rule open', async () => {
    // 90 open blocks, then 100 KB of ":" (took 51 s before recovery looked at most 256 tokens ahead).
    home.write('colons.ensemble', `runner a "x" {${'a {'.repeat(90)}${': '.repeat(50_000)}`);
    const heads = clean(await check('colons.ensemble'), 'colons.ensemble');
    expect(heads).toEqual(['colons.ensemble:1:285: expected "}", found ":"']);
  });
});

describe('conditions', () => {
  it.each([
    ['3,000 "("', deep('(', ')', 3_000, 'true'), 3_000],
    ['10,000 "("', deep('(', ')', 10_000, 'true'), 10_000],
    ['10,000 "not"', `${'not '.repeat(10_000)}true`, 10_000],
  ])('%s: one diagnostic, no stack overflow', async (_what, condition) => {
    home.write('cond.ensemble', `runner a "a.js" if "${condition}" {}\n`);
    const heads = clean(await check('cond.ensemble'), 'cond.ensemble');
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatch(/^cond\.ensemble:1:\d+: condition "[^"]{1,61}…": nesting deeper than 100 levels of "\(" and "not"$/);
  });

  it('evaluates a chain of 100,000 "and" (flat, not 100,000 levels deep)', async () => {
    home.write('and.ensemble', `runner a "a.js" if "${Array(100_000).fill("platform != 'x'").join(' and ')}" {}\n`);
    const r = await check('and.ensemble');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('long strings and lines', () => {
  it('lexes a 10 MB string (the regular expression overflowed its stack)', async () => {
    home.write('str.ensemble', `runner a "a.js" { arguments: "${'a'.repeat(10 * 1024 * 1024)}" }\n`);
    const r = await check('str.ensemble');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Escapes all the way: the other regular expression's shape overflowed on these.
    home.write('esc.ensemble', `runner a "a.js" { arguments: "${'\\t'.repeat(5 * 1024 * 1024)}" }\n`);
    expect((await check('esc.ensemble')).code).toBe(0);
  });

  it('quotes a 10 MB line as a window around the column', async () => {
    const text = `runner a "a.js" { arguments: "${'a'.repeat(10 * 1024 * 1024)}", oops: 1 }\n`;
    home.write('line.ensemble', text);
    const r = await check('line.ensemble');
    const heads = clean(r, 'line.ensemble');
    expect(heads).toEqual([expect.stringMatching(new RegExp(`^line\\.ensemble:1:${text.indexOf('oops') + 1}: unknown field "oops"`))]);
    const [, quoted, caret] = r.stderr.split('\n');
    expect(quoted).toMatch(/^ {2}…a+", oops: 1 }$/);
    expect(quoted?.length).toBeLessThanOrEqual(2 + 162);
    // The caret still points at "oops".
    expect(quoted?.[(caret?.length ?? 0) - 1]).toBe('o');
  });

  it('reports a 10 MB unterminated string once, its line quoted as a window', async () => {
    home.write('open.ensemble', `runner a "a.js" { arguments: "${'a'.repeat(10 * 1024 * 1024)}\n}\n`);
    const heads = clean(await check('open.ensemble'), 'open.ensemble');
    expect(heads[0]).toBe('open.ensemble:1:30: unterminated string: missing closing quote on this line');
  });
});

describe('many errors', () => {
  it('a 20 KB file of "/*" prints 100 diagnostics and "and N more errors"', async () => {
    home.write('comments.ensemble', '/*'.repeat(10 * 1024));
    const r = await check('comments.ensemble');
    const heads = clean(r, 'comments.ensemble');
    expect(heads).toHaveLength(100);
    expect(heads[0]).toBe('comments.ensemble:1:6: unexpected character "*"');
    const more = /\nand (\d+) more errors\ncomments\.ensemble: (\d+) errors\n$/.exec(r.stderr);
    expect(more).not.toBeNull();
    expect(Number(more?.[2])).toBe(100 + Number(more?.[1]));
    expect(r.stderr.length).toBeLessThan(64 * 1024);
  });

  it('stops lexing after 1,000 stray characters (2 MiB of "* ")', async () => {
    home.write('stars.ensemble', '* '.repeat(1024 * 1024));
    const r = await check('stars.ensemble');
    clean(r, 'stars.ensemble');
    expect(r.stderr).toMatch(/\nand 901 more errors\nstars\.ensemble: 1001 errors\n$/);
  });

  it('stops parsing after 1,000 syntax errors', async () => {
    home.write('syntax.ensemble', 'runner a "a.js" { x: }\n'.repeat(3_000));
    const r = await check('syntax.ensemble');
    clean(r, 'syntax.ensemble');
    expect(r.stderr).toMatch(/\nand \d+ more errors\nsyntax\.ensemble: \d+ errors\n$/);
    // The parser's own errors stop at 1,000 (plus the one saying so); the rest of the file is not read.
    const total = Number(/syntax\.ensemble: (\d+) errors\n$/.exec(r.stderr)?.[1]);
    expect(total).toBeLessThanOrEqual(1_001);
  });
});

describe('what an import or the root file may be', () => {
  it('refuses a FIFO, a device, a directory, a binary, invalid UTF-8 and a file over 16 MiB, one line each, without blocking', async () => {
    execFileSync('mkfifo', [join(home.dir, 'fifo')]);
    mkdirSync(join(home.dir, 'dir'));
    writeFileSync(join(home.dir, 'binary'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]));
    writeFileSync(join(home.dir, 'latin1.ensemble'), Buffer.from('runner a "caf\xe9.js"\n', 'latin1'));
    writeFileSync(join(home.dir, 'huge.ensemble'), '');
    truncateSync(join(home.dir, 'huge.ensemble'), 17 * 1024 * 1024);
    const imports = ['fifo', '/dev/urandom', 'dir', 'binary', 'latin1.ensemble', 'huge.ensemble'];
    home.write('root.ensemble', imports.map((f) => `import "${f}"\n`).join(''));
    const heads = clean(await check('root.ensemble'), 'root.ensemble');
    const at = (line: number, f: string): string => `root.ensemble:${line}:8: cannot import "${f}": `;
    expect(heads).toEqual([
      `${at(1, 'fifo')}not a regular file (it is a FIFO) (looked for ${join(home.dir, 'fifo')})`,
      `${at(2, '/dev/urandom')}not a regular file (it is a character device) (looked for /dev/urandom)`,
      `${at(3, 'dir')}is a directory (looked for ${join(home.dir, 'dir')})`,
      `${at(4, 'binary')}not a text file (it has a NUL byte at line 1, column 8) (looked for ${join(home.dir, 'binary')})`,
      `${at(5, 'latin1.ensemble')}not UTF-8 text (byte 0xe9 at line 1, column 14) (looked for ${join(home.dir, 'latin1.ensemble')})`,
      `${at(6, 'huge.ensemble')}is larger than the 16 MiB limit (17 MiB) (looked for ${join(home.dir, 'huge.ensemble')})`,
    ]);
  });

  it('refuses a FIFO and /dev/urandom as the root file', async () => {
    execFileSync('mkfifo', [join(home.dir, 'fifo')]);
    expect(clean(await check('fifo'), 'fifo')).toEqual(['fifo:1:1: cannot read the ensemble file: not a regular file (it is a FIFO)']);
    expect(clean(await check('/dev/urandom'), '/dev/urandom')).toEqual(['/dev/urandom:1:1: cannot read the ensemble file: not a regular file (it is a character device)']);
  });

  it('reads /bin/ls as one line', async () => {
    const heads = clean(await check('/bin/ls'), '/bin/ls');
    expect(heads).toEqual([expect.stringMatching(/^\/bin\/ls:1:1: cannot read the ensemble file: (not a text file \(it has a NUL byte at line \d+, column \d+\)|is larger than the 16 MiB limit)/)]);
  });
});

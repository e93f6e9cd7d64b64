import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findEnsembleFile } from '../../src/api/client-address.js';
import { evaluateCondition } from '../../src/ensemble/condition/evaluate-condition.js';
import { templateScope } from '../../src/ensemble/template-scope.js';
import { isUnitName, shellQuoteName, unitNameProblem } from '../../src/ensemble/unit-name.js';
import { runtimePaths } from '../../src/common/runtime-dir.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';

// The real built binary (`npm test` builds before running the suite) on our own
// Tinkwell-style corpus (test/fixtures/tinkwell/, see its README).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.join(root, 'test/fixtures/tinkwell');
const SETS = ['--set', 'false_setting=false', '--set', 'string_setting=string', '--set', 'main-voltage=230'];

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  // A generous render budget: the machine is shared and loaded; these files are tiny.
  const argv = args[0] === 'check' || args[0] === 'render' ? [args[0], '--render-timeout', '60s', ...args.slice(1)] : args;
  return runCli(argv, { from: 'dist', cwd: corpus, env, timeoutMs: 60_000 });
}

interface RenderedUnit {
  name: string;
  kind: string;
  path: string;
  args: string[];
  readiness: string;
  restart: { policy: string };
  properties: Record<string, unknown>;
  services?: { name: string; path: string; properties: Record<string, unknown> }[];
}

async function render(file: string, extra: string[] = []): Promise<RenderedUnit[]> {
  const r = await cli(['render', '--json', ...extra, file]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { units: RenderedUnit[] }).units;
}

const byName = (units: RenderedUnit[], name: string): RenderedUnit => {
  const u = units.find((x) => x.name === name);
  if (!u) throw new Error(`no unit "${name}" in ${units.map((x) => x.name).join(', ')}`);
  return u;
};

/** .NET's name of this machine's OS architecture, worked out here independently of the code under test. */
const DOTNET_OS_ARCH: Record<string, string> = { x86_64: 'X64', amd64: 'X64', aarch64: 'Arm64', arm64: 'Arm64', i686: 'X86', i386: 'X86', armv7l: 'Arm' };

describe('Tinkwell files: supervisor check and render on the corpus', () => {
  it('runners: bare, quoted, spaced and missing names, arguments, properties, keep_alive, activation, hosts', async () => {
    expect((await cli(['check', 'runners.tw'])).code).toBe(0);
    const units = await render('runners.tw');
    expect(units.map((u) => u.name)).toEqual(['importer', 'name with spaces', 'standalone', 'data.exporter', 'plant', 'calculators']);
    expect(byName(units, 'importer').args).toEqual(['--source', '/var/data/source', '--interval', '300']);
    expect(byName(units, 'importer').restart.policy).toBe('on-failure');
    const spaced = byName(units, 'name with spaces');
    expect(spaced).toMatchObject({ path: '/opt/tools/collector', args: ['--verbose'], properties: { runner_specific_property: 'value' } });
    expect(byName(units, 'data.exporter')).toMatchObject({ readiness: 'started', restart: { policy: 'never' } });
    expect(byName(units, 'calculators').readiness).toBe('notify');
    expect(byName(units, 'plant').services?.map((s) => s.name)).toEqual(['orchestrator', 'Tinkwell.Store', 'health probe']);
    expect(byName(units, 'calculators').services?.[0]).toMatchObject({ name: 'reducer', properties: { path: './config/measures.twm', use_constants: 'false' } });
  });

  it('conditions: in(), if(), [bracket] and bare parameters, NCalc keywords, Tinkwell variables compared as Tinkwell compares', async () => {
    const units = await render('conditions.tw', SETS);
    const names = units.map((u) => u.name);
    for (const yes of ['yes_in', 'yes_true', 'yes_bracket', 'yes_bare', 'yes_spaced', 'yes_if', 'yes_strings', 'yes_env', 'yes_session', 'yes_numbers']) expect(names).toContain(yes);
    expect(names.filter((n) => n.startsWith('no_'))).toEqual([]);
    const osArch = DOTNET_OS_ARCH[os.machine()];
    expect(names.includes('arch_os_x64')).toBe(osArch === 'X64');
    expect(names.includes('arch_process_arm64')).toBe(process.arch === 'arm64');
    expect(names.includes('arch_cpu_x64')).toBe(process.platform === 'linux' && process.arch === 'x64');
    expect(names.includes('arch_known')).toBe(osArch !== undefined);
  });

  it('a bare parameter that was not given is an error, as Tinkwell says "Parameter … is not defined"', async () => {
    const r = await cli(['check', 'conditions.tw']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^conditions\.tw:9:\d+: condition "\[false_setting\] == 'false'": unknown variable "false_setting" \(known: .*a bare KEY given with --set KEY=…/m);
  });

  it('compose: built-in kinds, quoted names, and templates using host.grpc, host.dll, firmlet.health_check, address.supervisor with __@ names', async () => {
    expect((await cli(['check', 'compose/ensamble.tw'])).code).toBe(0);
    const units = await render('compose/ensamble.tw');
    expect(units.map((u) => u.name)).toEqual(['orchestrator', 'quoted store', 'reducer', ...(process.platform === 'linux' ? ['watchdog'] : []), 'events', 'executor', 'bridge']);
    expect(byName(units, 'quoted store').properties).toEqual({ storage_strategy: 'SqliteStorage' });
    const events = byName(units, 'events');
    expect(events).toMatchObject({ kind: 'builtin', path: '@ensemble/node-host' });
    // The health-check child is the host's own health here: left out.
    expect(events.services?.map((s) => s.name)).toEqual(['__@events__main']);
    expect(events.services?.[0]?.properties).toEqual({ retention: '1h' });
    const executor = byName(units, 'executor');
    expect(executor.path).toBe('@ensemble/node-host');
    expect(executor.services?.map((s) => [s.name, s.properties])).toEqual([['__@executor__main', { path: './config/actions.twa' }]]);
    expect(byName(units, 'bridge').args).toEqual(['--supervisor', runtimePaths(path.join(corpus, 'compose/ensamble.tw')).apiAddress]);
  });

  it('templates named after the built-in kinds, next to the file, define them (Tinkwell\'s own templates work unchanged)', async () => {
    const units = await render('overrides/ensamble.tw');
    expect(units.map((u) => [u.name, u.path, u.services?.map((s) => s.name)])).toEqual([
      ['store', '@ensemble/node-host', ['__@store__unit']],
      ['reducer', '@ensemble/node-host', ['__@reducer__unit']],
    ]);
    expect(units[1]?.services?.[0]?.properties).toEqual({ path: './config/measures.twm' });
  });

  it('imports, Liquid loops and Tinkwell variables in Liquid, // @no-preprocessor', async () => {
    expect((await render('imports.tw')).map((u) => u.name)).toEqual(['common', 'another_runner']);
    const liquid = await render('liquid.tw');
    const osArch = DOTNET_OS_ARCH[os.machine()] ?? '';
    expect(liquid.map((u) => u.name)).toEqual(['worker1', 'worker2', 'worker3', `${osArch} helper`]);
    expect(liquid[3]?.path).toMatch(/^\/opt\/helpers\/(X64|Arm64|X86|Arm|\w+)$/);
    expect((await render('no-preprocessor.tw'))[0]?.args).toEqual(['{{', 'not', 'a', 'template', '}}']);
  });

  it.each([
    ['arithmetic.tw', /:1:39: condition "voltage \* current > 100": operator "\*" \(NCalc arithmetic\) has no meaning in a condition here/],
    ['date-literal.tw', /:1:30: condition .*date literal "#2025-01-01#" \(NCalc\) has no meaning in a condition here: a plan must not depend on the clock$/],
    ['clock.tw', /:1:37: condition .*function now\(\) \(NCalc\/Tinkwell\) is not available in conditions: dates and times have no meaning/],
    ['regex.tw', /:1:32: condition .*function regex_match\(\) \(NCalc\/Tinkwell\) is not available in conditions: regular expressions are not evaluated/],
    ['predicate.tw', /:1:32: condition .*function any\(\) .*evaluate a string as an expression/],
    ['misspelt-arch.tw', /:1:54: condition "os_architecture == 'x64'": os_architecture is never 'x64': its values are \.NET's names, as in Tinkwell .*; did you mean 'X64'\?$/],
    ['reserved-name.tw', /:1:8: name "__internal" starts with "__", which is reserved for names compose templates make$/],
    ['invalid-name.tw', /:1:8: name "what\?" contains "\?"; names may not contain/],
  ])('refused/%s: exactly one error, in one line, saying why', async (file, message) => {
    const r = await cli(['check', `refused/${file}`]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    // file:line:col: message, the source line, the caret, the count.
    expect(lines, r.stderr).toHaveLength(4);
    expect(lines[0]).toMatch(message);
    expect(lines[3]).toBe(`refused/${file}: 1 error`);
  });
});

describe('the condition language, Tinkwell forms', () => {
  const scope = templateScope({ node: 'n1', env: { SITE: 'lab' }, params: { 'main voltage': '230', mode: 'eco', flag: 'True' } });
  const on = (platform: string, arch = 'x64') => ({ ...scope, platform, arch, cpu_architecture: arch });
  it.each([
    ['[main voltage] > 200', true],
    ['{mode} == "eco" And Not False', true],
    ['mode == params.mode', true],
    ["in(env.SITE, 'lab', 'plant')", true],
    ["in(env.UNSET, 'lab')", false],
    ["if(true, 'a', undefined_name) == 'a'", true],
    ["is_null_or_white_space(' ') and is_null_or_empty(env.UNSET) and not is_null('')", true],
    ["concat(or_empty(env.UNSET), 'x') == 'x'", true],
    ["cbool('True') and cstr(3) == '3' and cdouble('2.5') == 2.5", true],
    ["match('edge-12', 'edge-?2') and not match('edge-12', 'core-*')", true],
    // Tinkwell's wildcards: whole text, case-insensitive, character classes.
    ["match('Edge-12', 'edge-[0-9][0-9]') and match('edge-x', 'EDGE-[^0-9]') and not match('xedge', 'edge*')", true],
    ["to_lower('LAB') == env.SITE", true],
    // The whole condition may be the string 'true'/'false', which Tinkwell converts (`if "[enabled]"`).
    ['[flag]', true],
    ["if(false, 'x', 'False')", false],
  ])('%s → %s', (text, expected) => {
    expect(evaluateCondition(text, scope)).toBe(expected);
  });

  it('platform is Node\'s name and also equals Tinkwell\'s', () => {
    expect(evaluateCondition("platform == 'osx'", on('darwin'))).toBe(true);
    expect(evaluateCondition("platform == 'darwin'", on('darwin'))).toBe(true);
    expect(evaluateCondition("in(platform, 'linux', 'bsd')", on('freebsd'))).toBe(true);
    expect(evaluateCondition("platform == 'windows'", on('win32'))).toBe(true);
    expect(evaluateCondition("platform == 'other'", on('aix'))).toBe(true);
    expect(evaluateCondition("platform == 'windows'", on('linux'))).toBe(false);
  });

  it('architectures: .NET names for os_/processor_architecture, Node names for arch/cpu_architecture; the other spelling is an error', () => {
    const s = { ...scope, os_architecture: 'Arm64', processor_architecture: 'Arm64', arch: 'arm64', cpu_architecture: 'arm64' };
    expect(evaluateCondition("os_architecture == 'Arm64' and processor_architecture != 'X64'", s)).toBe(true);
    expect(evaluateCondition("arch == 'arm64' and cpu_architecture == 'arm64'", s)).toBe(true);
    expect(() => evaluateCondition("os_architecture == 'arm64'", s)).toThrow(/did you mean 'Arm64'\?/);
    expect(() => evaluateCondition("in(processor_architecture, 'x86_64')", s)).toThrow(/did you mean 'X64'\?/);
    expect(() => evaluateCondition("arch == 'Arm64'", s)).toThrow(/did you mean 'arm64'\?/);
    expect(() => evaluateCondition("platform == 'Linux'", on('linux'))).toThrow(/did you mean 'linux'\?/);
    // A value that is no architecture at all is simply not equal.
    expect(evaluateCondition("arch != 'nope'", s)).toBe(true);
  });

  it('environment and session_id', () => {
    expect(templateScope({ env: {} }).environment).toBe('release');
    expect(templateScope({ env: { TINKWELL_ENVIRONMENT: 'Development' } }).environment).toBe('development');
    expect(templateScope({ env: { ENSEMBLE_ENVIRONMENT: 'release', TINKWELL_ENVIRONMENT: 'Development' } }).environment).toBe('release');
    expect(templateScope({ env: {}, params: { environment: 'development' } }).environment).toBe('development');
    // The process the plan is compiled for: this one, or the parent of a compiling child (vitest's workers are such children).
    const session = process.send !== undefined ? process.ppid : process.pid;
    expect(evaluateCondition(`session_id == '${session}'`, templateScope({ env: {} }))).toBe(true);
  });

  it.each([
    ['in(platform)', /in\(\) takes at least 2 arguments, got 1/],
    ["if(1, 'a', 'b') == 'a'", /if\(\) needs true or false as its first argument/],
    ['nosuch(1)', /unknown function nosuch\(\) \(conditions have: in, if, /],
    ['sqrt(4) == 2', /function sqrt\(\) \(NCalc\/Tinkwell\) is not available in conditions/],
    ["in(platform, 'linux'", /expected "," or "\)" in the arguments of in\(…\)/],
    ['[unclosed == 1', /unterminated parameter in condition: missing closing \]/],
    ['[ ] == 1', /empty parameter name/],
    ['a - b', /operator "-" \(NCalc arithmetic\)/],
    ['1 << 2', /operator "<<"/],
    ["match('a', '[a')", /match\(\): unclosed "\[" in the pattern '\[a'/],
  ])('rejects %s', (text, message) => {
    expect(() => evaluateCondition(text, scope)).toThrow(message);
  });

  it('keeps the limits: calls nest at most 100 deep, argument lists and bracket parameters are flat, the lexer is linear', () => {
    expect(evaluateCondition(`${'in('.repeat(99)}true${', true)'.repeat(99)}`, scope)).toBe(true);
    expect(() => evaluateCondition(`${'in('.repeat(5000)}true${', true)'.repeat(5000)}`, scope)).toThrow(/nesting deeper than 100 levels/);
    expect(evaluateCondition(`in(1${', 2'.repeat(100_000)}, 1)`, scope)).toBe(true);
    expect(evaluateCondition(Array(50_000).fill('[mode] == "eco"').join(' and '), scope)).toBe(true);
    // A pathological match() is cut off, not left to run for hours.
    expect(() => evaluateCondition(`match('${'a'.repeat(100_000)}', '*${'a'.repeat(4_000)}b')`, scope)).toThrow(/match\(\): matching 100000 characters against a 4002-character pattern takes more than 20000000 steps/);
    const t = Date.now();
    expect(() => evaluateCondition('['.repeat(2_000_000), scope)).toThrow(/unterminated parameter/);
    expect(() => evaluateCondition(`${'[a]'.repeat(500_000)}`, scope)).toThrow();
    expect(Date.now() - t).toBeLessThan(30_000);
  });
});

describe('names', () => {
  it("Tinkwell's rules: spaces inside, not [ ] { } \\ * : ; \" ' = ! ? /, not + - / or __ first", () => {
    for (const ok of ['name with spaces', 'data.exporter', 'a@b', 'café', 'x-1', '_x']) expect(unitNameProblem(ok)).toBeNull();
    for (const c of ['[', ']', '{', '}', '\\', '*', ':', ';', '"', "'", '=', '!', '?', '/', '\t', '\n']) expect(unitNameProblem(`a${c}b`)).not.toBeNull();
    for (const p of ['+a', '-a', '/a', '__a', ' a', 'a ']) expect(unitNameProblem(p)).not.toBeNull();
    expect(unitNameProblem('__@api__firmlet', { compose: 'service' })).toBeNull();
    expect(isUnitName('__@api__firmlet')).toBe(true);
  });

  it('are quoted where a shell needs it', () => {
    expect(shellQuoteName('api')).toBe('api');
    expect(shellQuoteName('__@api__firmlet')).toBe('__@api__firmlet');
    expect(shellQuoteName('name with spaces')).toBe("'name with spaces'");
    expect(shellQuoteName('a&b')).toBe("'a&b'");
  });
});

describe('which file client verbs use in a directory', () => {
  const dirs: TempDir[] = [];
  const dirWith = (...files: string[]): string => {
    const d = makeTempDir('ens-tw-');
    dirs.push(d);
    for (const f of files) writeFileSync(path.join(d.dir, f), '');
    return d.dir;
  };
  afterAll(() => dirs.forEach((d) => d.cleanup()));

  it('system.ensemble, the only *.ensemble, then ensamble.tw, then the only *.tw', () => {
    expect(findEnsembleFile(dirWith('system.ensemble', 'a.ensemble', 'ensamble.tw'))).toBe('system.ensemble');
    expect(findEnsembleFile(dirWith('a.ensemble', 'ensamble.tw'))).toBe('a.ensemble');
    expect(findEnsembleFile(dirWith('ensamble.tw', 'other.tw'))).toBe('ensamble.tw');
    expect(findEnsembleFile(dirWith('plant.tw', 'notes.txt'))).toBe('plant.tw');
    expect(findEnsembleFile(dirWith('notes.txt'))).toBeNull();
    expect(() => findEnsembleFile(dirWith('a.tw', 'b.tw'))).toThrow('cannot tell which supervisor to use: a.tw, b.tw are in this directory and none is ensamble.tw; use --supervisor ADDR');
    expect(() => findEnsembleFile(dirWith('a.ensemble', 'b.ensemble', 'ensamble.tw'))).toThrow(/a\.ensemble, b\.ensemble .* none is system\.ensemble/);
  });
});

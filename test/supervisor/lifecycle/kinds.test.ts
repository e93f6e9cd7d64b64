import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchCommand } from '../../../src/supervisor/process/launch-command.js';
import { fixture, makeUnitSpec } from '../../helpers/make-unit-spec.js';
import { startTestSupervisor, type TestSupervisor } from '../../helpers/test-supervisor.js';
import { makeTempHome, type TempHome } from '../../helpers/temp-home.js';
import { waitFor } from '../../helpers/wait-for.js';

let t: TestSupervisor | null = null;
let scratch: TempHome | null = null;
afterEach(async () => {
  await t?.close();
  scratch?.cleanup();
  t = null;
  scratch = null;
});

/** A folder of built-in units with `NAME/main.js` for each name. */
function unitsDir(home: TempHome, names: string[]): string {
  const dir = join(home.dir, 'units');
  for (const name of names) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'main.js'), `console.log('builtin ${name} ' + JSON.stringify(process.argv.slice(2)));\nsetInterval(() => {}, 1 << 30);\n`);
  }
  return dir;
}

describe('unit kinds', () => {
  it('builtin @ensemble/NAME runs units/NAME/main.js of the package with node', async () => {
    scratch = makeTempHome();
    const dir = unitsDir(scratch, ['store']);
    t = startTestSupervisor([makeUnitSpec({ name: 'store', kind: 'builtin', path: '@ensemble/store', command: '@ensemble/store', args: ['--persist', 'a b'] })], { launch: { unitsDirs: [dir] } });
    await t.waitState('store', 'ready');
    const line = await waitFor('builtin output', () => t?.lines.find((l) => l.unit === 'store' && l.stream === 'stdout'));
    expect(line.line).toBe('builtin store ["--persist","a b"]');
  });

  it('an unknown builtin is a clear failure', async () => {
    scratch = makeTempHome();
    t = startTestSupervisor([makeUnitSpec({ name: 'x', kind: 'builtin', command: '@ensemble/nope' })], { launch: { unitsDirs: [unitsDir(scratch, [])] } });
    expect((await t.waitState('x', 'failed')).error).toBe('built-in unit @ensemble/nope is not available in this build');
  });

  it('wasm modules run through the wasm host, the module first', () => {
    const home = makeTempHome();
    try {
      const dir = unitsDir(home, ['wasm-host']);
      const module = home.write('app.wasm', '');
      const cmd = launchCommand(makeUnitSpec({ name: 'w', kind: 'wasm', command: module, args: ['--x'], workingDirectory: home.dir }), { unitsDirs: [dir] });
      expect(cmd).toEqual({ file: process.execPath, args: [join(dir, 'wasm-host', 'main.js'), module, '--x'], cwd: home.dir });
      expect(() => launchCommand(makeUnitSpec({ name: 'w', kind: 'wasm', command: join(home.dir, 'missing.wasm') }), { unitsDirs: [dir] })).toThrow(
        expect.objectContaining({ code: 'ENS_E_SPAWN', message: `wasm module ${join(home.dir, 'missing.wasm')} not found` }),
      );
    } finally {
      home.cleanup();
    }
  });

  it('node: .ts modules get the tsx loader, .mjs do not; executables resolve relative to the working directory', () => {
    const ts = launchCommand(makeUnitSpec({ name: 'n', kind: 'node', command: fixture('unit-ready-ts.ts') }));
    expect(ts.args[0]).toBe('--import');
    expect(ts.args[1]).toMatch(/^file:.*tsx/);
    expect(ts.args.slice(2)).toEqual([fixture('unit-ready-ts.ts')]);
    expect(launchCommand(makeUnitSpec({ name: 'n', kind: 'node', command: fixture('unit-ready.mjs') })).args).toEqual([fixture('unit-ready.mjs')]);
    expect(launchCommand(makeUnitSpec({ name: 'e', command: './notify-ready.sh', workingDirectory: fixture('.') })).file).toBe(fixture('notify-ready.sh'));
    expect(() => launchCommand(makeUnitSpec({ name: 'e', command: './unit-crash.mjs', workingDirectory: fixture('.') }))).toThrow(/unit-crash\.mjs is not executable$/);
  });
});

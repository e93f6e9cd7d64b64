import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDirectory, isExecutable, isFile, isInsideDir } from '../../src/common/file-tests.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
});
afterEach(() => {
  home.cleanup();
});

describe('file tests', () => {
  it('tell files, directories and executables apart, following links, false for what is missing', () => {
    const file = home.write('plain', 'x');
    const tool = home.write('tool', '#!/bin/sh\n');
    chmodSync(tool, 0o755);
    const dir = join(home.dir, 'd');
    mkdirSync(dir);
    symlinkSync(tool, join(home.dir, 'link'));
    expect([file, tool, dir, join(home.dir, 'link'), join(home.dir, 'missing')].map(isFile)).toEqual([true, true, false, true, false]);
    expect([file, dir, join(home.dir, 'missing')].map(isDirectory)).toEqual([false, true, false]);
    expect([tool, join(home.dir, 'link'), join(home.dir, 'missing')].map(isExecutable)).toEqual([true, true, false]);
  });

  it('isInsideDir compares names, not prefixes of names', () => {
    expect(isInsideDir('/run/fs', '/run/fs')).toBe(true);
    expect(isInsideDir('/run/fs/units/a', '/run/fs')).toBe(true);
    expect(isInsideDir('/run/fs/units/a', '/run/fs/')).toBe(true);
    expect(isInsideDir('/run/fsx', '/run/fs')).toBe(false);
    expect(isInsideDir('/run', '/run/fs')).toBe(false);
  });
});

import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/common/find-executable.js';
import { makeTempHome, type TempHome } from '../helpers/temp-home.js';

let home: TempHome;
let bin: string;
let other: string;
beforeEach(() => {
  home = makeTempHome();
  bin = join(home.dir, 'bin');
  other = join(home.dir, 'other');
  mkdirSync(bin);
  mkdirSync(other);
  home.write('bin/tool', '#!/bin/sh\n');
  chmodSync(join(bin, 'tool'), 0o755);
  home.write('bin/plain', 'not a program\n');
  home.write('other/tool', '#!/bin/sh\n');
  chmodSync(join(other, 'tool'), 0o755);
});
afterEach(() => {
  home.cleanup();
});

describe('findExecutable', () => {
  it('searches PATH in order, skipping empty entries, relative entries against cwd', () => {
    expect(findExecutable('tool', { cwd: home.dir, pathEnv: `::${bin}:${other}` })).toEqual({ found: true, file: join(bin, 'tool') });
    expect(findExecutable('tool', { cwd: home.dir, pathEnv: 'other:bin' })).toEqual({ found: true, file: join(other, 'tool') });
  });

  it('skips a file on PATH that is not executable, and says when nothing is found', () => {
    expect(findExecutable('plain', { cwd: home.dir, pathEnv: bin })).toEqual({ found: false, reason: 'not-found', file: null, message: 'executable "plain" not found on PATH' });
  });

  it('takes a command with a slash as a file, relative to cwd', () => {
    expect(findExecutable('./bin/tool', { cwd: home.dir, pathEnv: '' })).toEqual({ found: true, file: join(bin, 'tool') });
    expect(findExecutable(join(bin, 'plain'), { cwd: '/', pathEnv: '' })).toEqual({ found: false, reason: 'not-executable', file: join(bin, 'plain'), message: `${join(bin, 'plain')} is not executable` });
    expect(findExecutable('bin/missing', { cwd: home.dir, pathEnv: '' })).toMatchObject({ found: false, reason: 'not-found', message: `executable ${join(bin, 'missing')} not found` });
    expect(findExecutable(bin, { cwd: '/', pathEnv: '' })).toMatchObject({ found: false, reason: 'not-found' });
  });

  it('never takes a program from the excluded directory (the file view)', () => {
    expect(findExecutable('tool', { cwd: home.dir, pathEnv: `${bin}:${other}`, excludedDir: bin })).toEqual({ found: true, file: join(other, 'tool') });
    expect(findExecutable(join(bin, 'tool'), { cwd: '/', pathEnv: '', excludedDir: bin })).toMatchObject({ found: false, reason: 'excluded', file: join(bin, 'tool') });
    // a sibling whose name merely starts with the excluded one is not inside it
    expect(findExecutable('tool', { cwd: home.dir, pathEnv: other, excludedDir: join(home.dir, 'oth') })).toEqual({ found: true, file: join(other, 'tool') });
  });

  it('returns data and never throws, whatever it is given', () => {
    expect(() => findExecutable('\0bad', { cwd: '/nonexistent', pathEnv: '/nonexistent:\0' })).not.toThrow();
  });
});

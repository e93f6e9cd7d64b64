import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findExecutable as lookUpExecutable } from '../../common/find-executable.js';
import { isDirectory, isFile, isInsideDir } from '../../common/file-tests.js';
import type { UnitSpec } from '../../ensemble/plan.js';
import { SpawnError } from '../supervisor-errors.js';

/** The program, its arguments and working directory: what is handed to spawn (never to a shell). */
export interface LaunchCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** Where built-in units and hosts are looked up. */
export interface LaunchOptions {
  /**
   * Folders holding `<name>/main.js` (or `main.ts`) of the built-in units.
   * Default: `dist/units` of this package, then `units` (sources, run through tsx).
   */
  readonly unitsDirs?: readonly string[];
  /**
   * The directory where this supervisor serves the file view (FUSE), or null.
   * A working directory, program or PATH entry inside it is refused before
   * anything touches it: the supervisor serves that mount from its own event
   * loop, so a synchronous stat there, or a child that must `chdir`/`exec`
   * there while `spawn` blocks the loop until the exec, would deadlock it.
   */
  readonly fileViewDir?: string | null;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/**
 * Build the command line of `spec` (see docs/lifecycle.md "Launching"):
 *
 * - `node`: `node [--import tsx] MODULE ARGS…` with the running Node binary.
 * - `builtin` `@ensemble/NAME`: the Node module `units/NAME/main.js` of this package.
 * - `wasm`: the wasm host (`@ensemble/wasm-host`) with the module as first argument.
 * - `exec`: an absolute path, a path relative to the working directory, or a
 *   bare name looked up on `PATH` (the unit's own `PATH` when it sets one).
 *
 * Throws {@link SpawnError} when the program or the working directory is
 * missing, or lies inside the file view (`options.fileViewDir`).
 */
export function launchCommand(spec: UnitSpec, options: LaunchOptions = {}): LaunchCommand {
  const cwd = spec.workingDirectory;
  const view = options.fileViewDir ? resolve(options.fileViewDir) : null;
  if (view !== null && isInsideDir(resolve(cwd), view)) throw insideFileView(spec.name, 'working directory', cwd, view);
  if (!isDirectory(cwd)) throw new SpawnError(spec.name, `working directory ${cwd} does not exist or is not a directory`);
  switch (spec.kind) {
    case 'node':
      return nodeCommand(spec.name, resolve(cwd, spec.command), spec.args, cwd, view);
    case 'builtin':
      return nodeCommand(spec.name, builtinModule(spec.name, spec.command, options), spec.args, cwd, view);
    case 'wasm': {
      const module = resolve(cwd, spec.command);
      if (view !== null && isInsideDir(module, view)) throw insideFileView(spec.name, 'wasm module', module, view);
      if (!isFile(module)) throw new SpawnError(spec.name, `wasm module ${module} not found`);
      const host = builtinModule(spec.name, '@ensemble/wasm-host', options);
      return nodeCommand(spec.name, host, [module, ...spec.args], cwd, view);
    }
    case 'exec':
      return { file: findExecutable(spec.name, spec.command, cwd, spec.env.PATH ?? process.env.PATH ?? '', view), args: spec.args, cwd };
  }
}

/**
 * Refuse a working directory that reaches into the file view through a
 * symbolic link (the lexical check of {@link launchCommand} cannot see that).
 * Asynchronous on purpose: resolving a path inside the mount needs the event
 * loop that serves the mount. Resolves when `cwd` is fine (or does not exist:
 * {@link launchCommand} reports that); rejects with {@link SpawnError}.
 */
export async function checkRealWorkingDirectory(unit: string, cwd: string, fileViewDir: string): Promise<void> {
  const view = resolve(fileViewDir);
  // Inside by its very name: refused without touching the file system at all.
  if (isInsideDir(resolve(cwd), view)) throw insideFileView(unit, 'working directory', cwd, view);
  let realView = view;
  try {
    // The mount point's parent lies outside the mount: safe to resolve synchronously.
    realView = join(realpathSync(dirname(view)), basename(view));
  } catch {
    // no parent yet: compare with the path as given
  }
  const real = await realpath(cwd).catch(() => null);
  if (real !== null && (isInsideDir(real, realView) || isInsideDir(real, view))) {
    throw insideFileView(unit, 'working directory', `${cwd} (${real})`, view);
  }
}

/** The error for a unit whose working directory or program lies inside the file view. */
function insideFileView(unit: string, what: string, path: string, view: string): SpawnError {
  return new SpawnError(unit, `${what} ${path} is inside the file view mounted at ${view}; a unit cannot run from there (the supervisor serving the mount would deadlock)`);
}

function nodeCommand(unit: string, module: string, args: readonly string[], cwd: string, view: string | null): LaunchCommand {
  if (view !== null && isInsideDir(module, view)) throw insideFileView(unit, 'module', module, view);
  if (!isFile(module)) throw new SpawnError(unit, `module ${module} not found`);
  const loader = TS_EXTENSIONS.has(extname(module)) ? ['--import', tsxLoader(unit)] : [];
  return { file: process.execPath, args: [...loader, module, ...args], cwd };
}

let tsxUrl: string | null | undefined;

/** The tsx loader, resolved from this package so units need not install it. */
function tsxLoader(unit: string): string {
  if (tsxUrl === undefined) {
    try {
      tsxUrl = import.meta.resolve('tsx');
    } catch {
      tsxUrl = null;
    }
  }
  if (tsxUrl === null) throw new SpawnError(unit, 'TypeScript units need the tsx package, which is not installed');
  return tsxUrl;
}

/** The folders searched for built-in units, for this copy of the package. */
export function defaultUnitsDirs(): string[] {
  const here = dirname(fileURLToPath(import.meta.url)); // <root>/src/supervisor/process or <root>/dist/src/supervisor/process
  const srcDir = dirname(dirname(here));
  const top = dirname(srcDir);
  const root = basename(top) === 'dist' ? dirname(top) : top;
  return [join(root, 'dist', 'units'), join(root, 'units')];
}

function builtinModule(unit: string, packageName: string, options: LaunchOptions): string {
  const match = /^@ensemble\/([a-z0-9][a-z0-9_-]*)$/.exec(packageName);
  if (!match) throw new SpawnError(unit, `"${packageName}" is not a built-in unit (expected @ensemble/<name>)`);
  const name = match[1] as string;
  const dirs = options.unitsDirs ?? defaultUnitsDirs();
  for (const dir of dirs) {
    for (const main of ['main.js', 'main.ts']) {
      const candidate = join(dir, name, main);
      if (isFile(candidate)) return candidate;
    }
  }
  throw new SpawnError(unit, `built-in unit ${packageName} is not available in this build`);
}

/**
 * Resolve an executable like execvp does, but up front so a missing one is a
 * clear error. `fileViewDir`: a program there is refused, and PATH entries
 * there are skipped without being looked at (see {@link LaunchOptions.fileViewDir}).
 */
export function findExecutable(unit: string, command: string, cwd: string, pathEnv: string, fileViewDir: string | null = null): string {
  const found = lookUpExecutable(command, { cwd, pathEnv, excludedDir: fileViewDir });
  if (found.found) return found.file;
  if (found.reason === 'excluded' && fileViewDir !== null) throw insideFileView(unit, 'executable', found.file ?? command, fileViewDir);
  throw new SpawnError(unit, found.message);
}


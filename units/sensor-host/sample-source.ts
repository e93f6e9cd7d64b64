import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EnsembleError, findExecutable, InvalidArgumentError } from '../../src/sdk/host.js';
import type { HostChild } from '../common/host-children.js';

/** A sample could not be taken (the command failed, the file is unreadable). */
export class SampleError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_UNIT_UNREACHABLE', message);
  }
}

/** Where a child's raw text comes from. */
export type SampleSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'command'; readonly file: string; readonly args: readonly string[] };

/** Largest output kept from one sample. */
const MAX_OUTPUT = 1024 * 1024;

/**
 * The child's source: `source: "file"` reads its path, `source: "command"`
 * runs it (no shell, the runner's arguments); by default a path naming an
 * existing file that is not executable (such as `/proc/loadavg`) is read,
 * anything else is run as a command looked up like a native runner.
 */
export function sampleSource(child: HostChild, cwd: string): SampleSource {
  const explicit = child.properties.source;
  const path = child.resolvedPath;
  if (explicit === 'file' || (explicit === undefined && isPlainFile(path))) return { kind: 'file', path };
  const found = findExecutable(path, { cwd, pathEnv: process.env.PATH ?? '' });
  if (!found.found) throw new InvalidArgumentError(`service runner ${child.name}: ${found.message}`);
  return { kind: 'command', file: found.file, args: child.args };
}

/** Take one raw sample within `timeoutMs`. Throws {@link SampleError}. */
export async function takeSample(source: SampleSource, timeoutMs: number): Promise<string> {
  if (source.kind === 'file') {
    try {
      return await readFile(source.path, 'utf8');
    } catch (e) {
      throw new SampleError(`cannot read ${source.path}: ${(e as Error).message}`);
    }
  }
  return new Promise((resolve, reject) => {
    execFile(source.file, [...source.args], { timeout: timeoutMs, maxBuffer: MAX_OUTPUT, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
      const why = e.killed ? `timed out after ${timeoutMs} ms` : typeof e.code === 'number' ? `exited with code ${e.code}` : e.message;
      const detail = stderr.trim().split('\n').at(-1) ?? '';
      reject(new SampleError(`${source.file} ${why}${detail ? `: ${detail}` : ''}`));
    });
  });
}

function isPlainFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
  } catch {
    return false;
  }
  try {
    accessSync(path, constants.X_OK);
    return false;
  } catch {
    return true;
  }
}

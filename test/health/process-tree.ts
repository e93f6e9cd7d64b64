import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A child that allocates (and touches) `MIB` MiB, prints `ready <pid>`, and
 * burns CPU after it reads `burn` on stdin.
 */
const CHILD = `
const mib = Number(process.argv[1]);
const hog = Buffer.alloc(mib * 1024 * 1024, 1);
process.stdout.write('ready ' + process.pid + ' ' + hog.length + '\\n');
process.stdin.on('data', (d) => { if (String(d).includes('burn')) for (;;) {} });
`;

/** A parent that starts {@link CHILD}, forwards its stdin to it and stays alive. */
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', ${JSON.stringify(CHILD)}, process.argv[1]], { stdio: ['pipe', 'inherit', 'inherit'] });
process.stdin.pipe(child.stdin);
setInterval(() => {}, 1 << 30);
`;

/** A real two-process tree: `parent` (its own process group) and `childPid`. */
export interface ProcessTreeFixture {
  readonly parent: ChildProcessWithoutNullStreams;
  readonly childPid: number;
  /** Make the child burn CPU. */
  burn(): void;
  /** SIGKILL the fixture's process group (only pids this fixture started). */
  kill(): void;
}

/** Start a parent whose child allocates `mib` MiB; resolves once the child is ready. */
export async function startProcessTree(mib: number): Promise<ProcessTreeFixture> {
  const parent = spawn(process.execPath, ['-e', PARENT, String(mib)], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const kill = (): void => {
    try {
      if (parent.pid !== undefined) process.kill(-parent.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let out = '';
  parent.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  try {
    const childPid = await waitFor('the child to allocate its memory', () => Number(/ready (\d+)/.exec(out)?.[1] ?? 0));
    return { parent, childPid, burn: () => parent.stdin.write('burn\n'), kill };
  } catch (error) {
    kill();
    throw error;
  }
}

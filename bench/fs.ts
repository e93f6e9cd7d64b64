/**
 * `npx tsx bench/fs.ts [--seconds N] [--rounds N] [--json]`: open-read-close
 * operations per second and MB/s on files of the file view (a watchable and a
 * plain resource of a real SDK unit under a real `supervisor run`), next to a minimal in-memory
 * fuse-native file system and tmpfs, in the same run. Every measurement runs
 * in its own child process (never in a process that serves a mount). The
 * target: the file view reaches at least 0.7x the minimal FUSE file system.
 * Needs FUSE (Linux, /dev/fuse, libfuse2) and /dev/shm.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runtimePaths } from '../src/common/runtime-dir.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const SECONDS = opt('--seconds', 3);
const ROUNDS = opt('--rounds', 3);
const BLOB = 64 * 1024;
const SMALL = '21.5\n';

/** Child program: open-read-close `path` for `seconds`, print ops and bytes. */
const MEASURE = `
const fs = require('node:fs');
const [path, seconds] = process.argv.slice(1);
const buf = Buffer.alloc(1 << 20);
let ops = 0, bytes = 0;
const end = Date.now() + Number(seconds) * 1000;
while (Date.now() < end) {
  for (let i = 0; i < 20; i++) {
    const fd = fs.openSync(path, 'r');
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) bytes += n;
    fs.closeSync(fd);
    ops++;
  }
}
console.log(JSON.stringify({ ops: ops / Number(seconds), bytes: bytes / Number(seconds) }));
`;

/** Child program: a minimal in-memory fuse-native file system with /small and /blob. */
const MINIMAL_FUSE = `
const Fuse = require('fuse-native');
const files = { '/small': Buffer.from(${JSON.stringify(SMALL)}), '/blob': Buffer.alloc(${BLOB}, 120) };
const t = new Date();
const ops = {
  readdir: (p, cb) => (p === '/' ? cb(0, Object.keys(files).map((f) => f.slice(1))) : cb(Fuse.ENOENT)),
  getattr: (p, cb) => {
    if (p === '/') return cb(0, { mtime: t, atime: t, ctime: t, nlink: 1, size: 0, mode: 0o40555, uid: 0, gid: 0 });
    const f = files[p];
    if (!f) return cb(Fuse.ENOENT);
    cb(0, { mtime: t, atime: t, ctime: t, nlink: 1, size: f.length, mode: 0o100444, uid: 0, gid: 0 });
  },
  open: (p, flags, cb) => cb(0, 42),
  release: (p, fd, cb) => cb(0),
  read: (p, fd, buf, len, pos, cb) => {
    const f = files[p];
    if (!f || pos >= f.length) return cb(0);
    cb(f.copy(buf, 0, pos, Math.min(f.length, pos + len)));
  },
};
// With "direct_io" (argv[2]) it mounts like the file view does: every read reaches the file system.
class Minimal extends Fuse {
  _fuseOptions() { const base = super._fuseOptions(); return process.argv[2] === 'direct_io' ? (base ? base + ',direct_io' : '-odirect_io') : base; }
}
const fuse = new Minimal(process.argv[1], ops, { mkdir: true, autoUnmount: true });
fuse.mount((err) => { if (err) { console.error(err.message); process.exit(1); } console.log('mounted'); });
process.on('SIGTERM', () => fuse.unmount(() => process.exit(0)));
`;

function run(cmd: string, argv: string[], cwd = root): Promise<string> {
  return new Promise((res, rej) => execFile(cmd, argv, { cwd, maxBuffer: 1 << 20 }, (e, out, err) => (e ? rej(new Error(`${e.message}\n${err}`)) : res(out))));
}

async function measure(path: string): Promise<{ ops: number; bytes: number }> {
  return JSON.parse(await run(process.execPath, ['-e', MEASURE, path, String(SECONDS)])) as { ops: number; bytes: number };
}

function waitLine(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((res, rej) => {
    let seen = '';
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}: ${seen.slice(-500)}`)), 120_000);
    child.stdout?.on('data', (b: Buffer) => {
      seen += b.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        res();
      }
    });
    child.once('exit', (code) => rej(new Error(`${what}: exited with ${code}: ${seen.slice(-500)}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const home = mkdtempSync(join(tmpdir(), 'ens-bench-fs-'));
const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/ens-bench-fs-') : mkdtempSync(join(tmpdir(), 'ens-bench-tmpfs-'));
const children: ChildProcess[] = [];
try {
  // tmpfs
  writeFileSync(join(shm, 'small'), SMALL);
  writeFileSync(join(shm, 'blob'), Buffer.alloc(BLOB, 120));
  // minimal fuse-native
  const minimalDir = join(home, 'minimal');
  mkdirSync(minimalDir);
  const minimal = spawn(process.execPath, ['-e', MINIMAL_FUSE, minimalDir], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(minimal);
  await waitLine(minimal, /mounted/, 'the minimal FUSE file system');
  const directDir = join(home, 'minimal-direct');
  mkdirSync(directDir);
  const direct = spawn(process.execPath, ['-e', MINIMAL_FUSE, directDir, 'direct_io'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(direct);
  await waitLine(direct, /mounted/, 'the minimal FUSE file system with direct_io');
  // the file view of a real supervisor
  const env = { ...process.env, ENSEMBLE_RUNTIME_HOME: join(home, 'run'), ENSEMBLE_STATE_HOME: join(home, 'state'), ENSEMBLE_SUPERVISOR: '' };
  const file = join(home, 'system.ensemble');
  writeFileSync(file, `runner sensor "${join(root, 'test', 'fixtures', 'fs-sensor.mjs')}" {\n  readiness: notify\n  properties { blobBytes: ${BLOB} }\n}\n`);
  const view = runtimePaths(file, env).mountDir;
  // The built CLI (what users run; `npm run build` first): tsx's wrappers would slow the hot path.
  const cli = join(root, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const sup = spawn(process.execPath, [cli, 'run', file, '--log-format', 'json'], { cwd: home, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(sup);
  await waitLine(sup, /all units ready/, 'the supervisor');

  const targets: [string, string, string][] = [
    ['file view, watchable resource', join(view, 'units', 'sensor', 'counter'), join(view, 'units', 'sensor', 'blob')],
    ['file view, plain resource', join(view, 'units', 'sensor', 'temperature'), join(view, 'units', 'sensor', 'blob')],
    ['minimal fuse-native', join(minimalDir, 'small'), join(minimalDir, 'blob')],
    ['minimal fuse-native, direct_io', join(directDir, 'small'), join(directDir, 'blob')],
    ['tmpfs', join(shm, 'small'), join(shm, 'blob')],
  ];
  const results = new Map<string, { ops: number[]; mbs: number[] }>(targets.map(([name]) => [name, { ops: [], mbs: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, small, blob] of targets) {
      const r = results.get(name)!;
      r.ops.push((await measure(small)).ops);
      r.mbs.push((await measure(blob)).bytes / 1e6);
    }
  }
  const rows = targets.map(([name]) => ({ name, ops: median(results.get(name)!.ops), mbs: median(results.get(name)!.mbs) }));
  const minimalRow = rows.find((r) => r.name === 'minimal fuse-native')!;
  const viewRow = rows[0]!;
  const plainRow = rows[1]!;
  const ratio = viewRow.ops / minimalRow.ops;
  const plainRatio = plainRow.ops / minimalRow.ops;
  const mbRatio = viewRow.mbs / minimalRow.mbs;
  const directRow = rows.find((r) => r.name === 'minimal fuse-native, direct_io')!;
  const directRatio = viewRow.ops / directRow.ops;
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, blobBytes: BLOB, rows, ratio, directRatio, plainRatio, mbRatio }, null, 2)}\n`);
  } else {
    process.stdout.write(`open-read-close, median of ${ROUNDS} rounds of ${SECONDS}s (small value: ${SMALL.length} bytes, blob: ${BLOB} bytes)\n\n`);
    process.stdout.write('| target | small file ops/s | blob MB/s |\n|---|---:|---:|\n');
    for (const r of rows) process.stdout.write(`| ${r.name} | ${Math.round(r.ops)} | ${r.mbs.toFixed(1)} |\n`);
    process.stdout.write(`\nfile view / minimal FUSE, ops/s: ${ratio.toFixed(2)}x watchable (target >= 0.7x: ${ratio >= 0.7 ? 'PASS' : 'FAIL'}), ${plainRatio.toFixed(2)}x plain (one Read call to the unit per open); MB/s: ${mbRatio.toFixed(2)}x\n`);
    process.stdout.write(`file view / minimal FUSE with direct_io (as the view mounts), ops/s: ${directRatio.toFixed(2)}x watchable\n`);
  }
  process.exitCode = ratio >= 0.7 ? 0 : 1;
} finally {
  for (const c of children.reverse()) await stop(c);
  rmSync(shm, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}

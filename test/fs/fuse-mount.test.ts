import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTree } from '../../src/fs/file-tree.js';
import { fuseAvailability } from '../../src/fs/fuse-adapter.js';
import { mountFileView, type MountedFileView } from '../../src/fs/mount-file-view.js';
import { fuseMountAt } from '../../src/fs/stale-mount.js';
import { makeTempDir, type TempDir } from '../helpers/temp-home.js';
import { MemoryBackend } from './memory-backend.js';

// The tree is mounted in this (forked) test process; every access to the
// mount happens in bash child processes started asynchronously, so this
// process's event loop stays free to answer the FUSE operations. Children
// never start with their working directory inside the mount: spawn() blocks
// this event loop until the child has exec'd, and a chdir into the mount
// before exec would wait for this very loop (a deadlock); scripts `cd` first.
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const avail = fuseAvailability();

describe.runIf(avail.ok)('the file view mounted with FUSE (in-memory backend)', () => {
  let scratch: TempDir | undefined;
  let dir: string;
  let mount: MountedFileView | null = null;
  const backend = new MemoryBackend();
  backend.addUnit('sensor', {
    temperature: { value: '21.5' },
    counter: { value: '0' },
    'config/threshold': { value: '30', writable: true, validate: (v) => (/^\d+$/.test(v) ? null : `not a number: ${v}`) },
  });
  backend.addUnit('slow', { value: { value: '1' } });
  backend.hanging.add('slow');
  backend.services.push({ name: 'store', address: '127.0.0.1:4000', unit: 'sensor' });

  const bash = (script: string) => execa('bash', ['-c', `cd "$0" && ${script}`, mountDir()], { reject: false, timeout: 30_000 });
  const script = (name: string, ...args: string[]) => execa('bash', [join(fixtures, name), mountDir(), ...args], { reject: false, timeout: 30_000 });
  const errno = async (...args: string[]) => (await script('fs-errno.sh', ...args)).stdout;
  const mountDir = () => join(dir, 'fs');

  beforeAll(async () => {
    scratch = makeTempDir('ens-fs-');
    dir = scratch.dir;
    mount = await mountFileView(new FileTree(backend, { timeoutMs: 1500, pollMs: 50 }), join(dir, 'fs'), { watchKeepAliveMs: 2000 });
  });

  afterAll(async () => {
    await mount?.unmount();
    scratch?.cleanup();
  });

  it('lists and reads the tree with ls and cat', async () => {
    const r = await bash('ls; ls units; ls units/sensor units/sensor/config; cat units/sensor/temperature status/sensor/state services/store supervisor/pid');
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'peers', 'services', 'status', 'supervisor', 'units',
      'sensor', 'slow',
      'units/sensor:', 'config', 'counter', 'temperature', '',
      'units/sensor/config:', 'threshold',
      '21.5', 'ready', '127.0.0.1:4000', '4242',
    ]);
  });

  it('reports the real current size of a changing value', async () => {
    backend.setValue('sensor', 'counter', '7');
    expect((await bash('stat -c %s units/sensor/counter; wc -c < units/sensor/counter')).stdout).toBe('2\n2');
    backend.setValue('sensor', 'counter', '123456789');
    expect((await bash('stat -c %s units/sensor/counter; cat units/sensor/counter')).stdout).toBe('10\n123456789');
  });

  it('dates a pushed change by its arrival, not by the stat that first shows it', async () => {
    await bash('cat units/sensor/counter'); // the view now follows the pushed value
    const before = Date.now();
    backend.setValue('sensor', 'counter', '555');
    const after = Date.now();
    await new Promise((r) => setTimeout(r, 1200));
    const r = await bash('stat -c "%.3Y %.3Z" units/sensor/counter; cat units/sensor/counter');
    const [times, value] = r.stdout.split('\n');
    const [m, c] = (times ?? '').split(' ').map((t) => Math.round(Number(t) * 1000));
    expect(value).toBe('555');
    expect(m).toBeGreaterThanOrEqual(before);
    expect(m).toBeLessThanOrEqual(after);
    expect(c).toBe(m);
  });

  it('writes line-oriented values with echo and refuses what the unit refuses', async () => {
    expect((await bash('echo 42 > units/sensor/config/threshold && cat units/sensor/config/threshold')).stdout).toBe('42');
    expect(backend.resourcesOf.get('sensor')?.get('config/threshold')?.value).toBe('42');
    expect((await bash('printf 43 > units/sensor/config/threshold; cat units/sensor/config/threshold')).stdout).toBe('43');
    expect(await errno('write', 'units/sensor/config/threshold', 'hot')).toBe('exit=1 Invalid argument');
    expect(await errno('write', 'units/sensor/temperature', '1')).toBe('exit=1 Permission denied');
    expect(await errno('write', 'status/sensor/control', 'explode')).toBe('exit=1 Invalid argument');
    expect(await errno('write', 'units/sensor/newfile', '1')).toBe('exit=1 Permission denied');
    expect(await errno('cat', 'units/nope/temperature')).toBe('exit=1 No such file or directory');
    expect(await errno('cat', 'status/nope/state')).toBe('exit=1 No such file or directory');
    expect(await errno('cat', 'units/slow/value')).toBe('exit=1 Input/output error');
  });

  it('drives units through control files', async () => {
    const r = await bash('echo stop > status/sensor/control && cat status/sensor/state && echo start > status/sensor/control && cat status/sensor/state');
    expect(r.stdout).toBe('stopped\nready');
    expect(backend.actions.slice(-2)).toEqual(['stop sensor', 'start sensor']);
  });

  it('lets a bash loop see consecutive changes through a .watch file, without freezing the mount', async () => {
    let n = 100;
    const ticker = setInterval(() => backend.setValue('sensor', 'counter', String(++n)), 150);
    try {
      const loop = script('fs-watch-loop.sh', 'units/sensor/counter', '3');
      const reopen = script('fs-watch-reopen.sh', 'units/sensor/counter', '3');
      // While both loops block in reads, the rest of the mount answers.
      expect((await bash('cat units/sensor/temperature')).stdout).toBe('21.5');
      const seen = (await loop).stdout.split('\n').map(Number);
      expect(seen).toHaveLength(3);
      expect(seen[1]).toBe((seen[0] as number) + 1);
      expect(seen[2]).toBe((seen[0] as number) + 2);
      const again = (await reopen).stdout.split('\n').map(Number);
      expect(again).toHaveLength(3);
      expect(again[0]).toBeLessThan(again[1] as number);
      expect(again[1]).toBeLessThan(again[2] as number);
    } finally {
      clearInterval(ticker);
    }
  });

  it('watches a unit state file from the shell', async () => {
    const watch = script('fs-watch-loop.sh', 'status/sensor/state', '2');
    const states = ['stopping', 'stopped'];
    // Keep changing the state until the loop has seen two changes (it may open after the first).
    const changer = setInterval(() => {
      const s = states.shift();
      if (s) backend.setState('sensor', s as 'stopping');
      else backend.setState('sensor', backend.units.get('sensor')?.state === 'ready' ? 'stopped' : 'ready');
    }, 200);
    try {
      const out = (await watch).stdout.split('\n');
      expect(out).toHaveLength(2);
      expect(out[0]).not.toBe(out[1]);
    } finally {
      clearInterval(changer);
      backend.setState('sensor', 'ready');
    }
  });

  it('repeats the current value when a watch sees no change, so an interrupted reader never hangs', async () => {
    const r = await bash('read -r v < units/sensor/temperature.watch; echo "$v"');
    expect(r.stdout).toBe('21.5');
  });

  it('unmounts cleanly, even with a watch reader blocked', async () => {
    const reader = bash('cat units/sensor/temperature.watch');
    await new Promise((r) => setTimeout(r, 300));
    await mount?.unmount();
    mount = null;
    await reader;
    expect(await fuseMountAt(join(dir, 'fs'))).toBeNull();
  });
});

describe('FUSE availability', () => {
  it('is either usable or explained in one line', () => {
    if (!avail.ok) expect(avail.reason).toMatch(/^[^\n]+$/);
    else expect(avail).toEqual({ ok: true });
  });
});

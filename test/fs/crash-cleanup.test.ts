import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fuseAvailability } from '../../src/fs/fuse-adapter.js';
import { fuseMountAt, fuseMountState } from '../../src/fs/stale-mount.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { waitFor } from '../helpers/wait-for.js';
import { startFsSystem } from '../helpers/fs-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
}, 120_000);

describe.runIf(fuseAvailability().ok)('a killed supervisor leaves no broken mount', () => {
  it('auto-unmounts when the supervisor is SIGKILLed, and the next start mounts again', async () => {
    const sys = await startFsSystem();
    cleanups.push(() => sys.close());
    expect((await sys.bash('cat status/sensor/state')).stdout).toBe('ready');
    sys.supervisor.process.kill('SIGKILL');
    await sys.supervisor.exited;
    await waitFor('the mount to disappear', async () => (await fuseMountAt(sys.mount)) === null);
    // The directory answers again (no ENOTCONN): an empty directory.
    const ls = await sys.bash('ls -A .');
    expect(ls).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });

    const again = await startFsSystem({ home: sys.home });
    cleanups.push(() => again.close());
    expect((await again.bash('cat units/sensor/temperature')).stdout).toBe('21.5');
  }, 180_000);

  it('removes a stale mount (ENOTCONN) at the next start', async () => {
    const home = makeTempHome();
    const dir = join(home.dir, 'mnt');
    const leaver = spawn(process.execPath, [fixture('fs-stale-mount.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => {
      leaver.kill('SIGKILL');
      if ((await fuseMountAt(dir)) !== null) await new Promise((r) => execFile('fusermount', ['-u', '-z', dir], r));
      home.cleanup();
    });
    await once(leaver.stdout, 'data');
    leaver.kill('SIGKILL');
    await once(leaver, 'exit');
    expect(await fuseMountState(dir)).toBe('stale');

    const sys = await startFsSystem({ home, flags: ['--mount', dir] });
    cleanups.push(() => sys.close());
    await sys.supervisor.waitRecord('the stale mount warning', (r) => r.msg === 'removed a stale file view mount left by a supervisor that died');
    expect((await sys.bash('cat units/sensor/temperature')).stdout).toBe('21.5');
  }, 120_000);
});

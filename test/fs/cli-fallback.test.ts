import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseMountAt } from '../../src/fs/stale-mount.js';
import { waitFor } from '../helpers/wait-for.js';
import { startFsSystem, type FsSystem } from '../helpers/fs-harness.js';

// `supervisor run --no-fs`: nothing is mounted, and `supervisor fs` serves
// the same tree through the supervisor's API.
describe('supervisor fs without a mount (--no-fs)', () => {
  let sys: FsSystem;

  // Generous: the machine is small and shared.
  beforeAll(async () => {
    sys = await startFsSystem({ flags: ['--no-fs'] });
  }, 120_000);

  afterAll(async () => {
    await sys?.close();
  }, 120_000);

  it('says once that the view is not mounted, and mounts nothing', async () => {
    expect(sys.supervisor.records.filter((r) => String(r.msg).startsWith('file view not mounted'))).toHaveLength(1);
    expect(await fuseMountAt(sys.mount)).toBeNull();
  });

  it('lists and reads the tree', async () => {
    expect(await sys.cli('fs', 'cat', 'units/sensor/temperature')).toMatchObject({ exitCode: 0, stdout: '21.5' });
    expect((await sys.cli('fs', 'ls', '/')).stdout).toBe('peers\nservices\nstatus\nsupervisor\nunits');
    expect((await sys.cli('fs', 'ls', 'units/sensor')).stdout).toBe('config\ncounter\nsetpoint\ntemperature');
    expect((await sys.cli('fs', 'ls', 'services')).stdout).toBe('sensor\nsensor.resources');
    expect((await sys.cli('fs', 'cat', 'status/idle/state')).stdout).toBe('ready');
  });

  it('writes values and control words', async () => {
    expect((await sys.cli('fs', 'write', 'units/sensor/setpoint', '7')).exitCode).toBe(0);
    expect((await sys.cli('fs', 'cat', 'units/sensor/setpoint')).stdout).toBe('7');
    const before = (await sys.cli('fs', 'cat', 'status/sensor/pid')).stdout;
    expect((await sys.cli('fs', 'write', 'status/sensor/control', 'restart')).exitCode).toBe(0);
    await waitFor('a new sensor process', async () => {
      const [state, pid] = await Promise.all([sys.cli('fs', 'cat', 'status/sensor/state'), sys.cli('fs', 'cat', 'status/sensor/pid')]);
      return state.stdout === 'ready' && pid.stdout !== before && pid.stdout !== '';
    });
  });

  it('reports errors in one line with the errno a mount would answer', async () => {
    expect(await sys.cli('fs', 'cat', 'status/nope/state')).toMatchObject({ exitCode: 1, stderr: 'supervisor: status/nope/state: unknown unit "nope" (ENOENT)' });
    const ro = await sys.cli('fs', 'write', 'units/sensor/temperature', '1');
    expect(ro.exitCode).toBe(1);
    expect(ro.stderr).toMatch(/^supervisor: units\/sensor\/temperature: .*\(EACCES\)$/);
    const bad = await sys.cli('fs', 'write', 'status/sensor/control', 'explode');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/\(EINVAL\)$/);
    expect((await sys.cli('fs', 'cat', 'units/../../etc/passwd')).stderr).toMatch(/\(EINVAL\)$/);
  });

  it('exits 2 when the supervisor is gone', async () => {
    const s = sys;
    s.supervisor.process.kill('SIGTERM');
    await s.supervisor.exited;
    const r = await s.cli('fs', 'ls', '/');
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')).toHaveLength(1);
  });
});

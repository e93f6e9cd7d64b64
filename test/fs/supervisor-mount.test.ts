import { readFile } from 'node:fs/promises';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtos } from '../../src/wire/protos.js';
import { fuseAvailability } from '../../src/fs/fuse-adapter.js';
import { waitFor } from '../helpers/wait-for.js';
import { startFsSystem, type FsSystem } from '../helpers/fs-harness.js';

// A real `supervisor run` child mounts the view; real bash scripts (child
// processes of this test, never of the supervisor) use it.
describe.runIf(fuseAvailability().ok)('supervisor run mounts the file view', () => {
  let sys: FsSystem;

  // Generous: the machine is small and shared.
  beforeAll(async () => {
    sys = await startFsSystem();
  }, 120_000);

  afterAll(async () => {
    await sys?.close();
  }, 120_000);

  /** A client of the sensor's own Resources service, found through the supervisor's discovery. */
  async function sensorResources(): Promise<grpc.Client> {
    const protos = loadProtos();
    const discovery = new protos.Discovery(sys.home.paths.apiAddress, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Find(req: object, cb: (e: grpc.ServiceError | null, r?: { service: { address: string } }) => void): void;
    };
    try {
      const found = await new Promise<{ service: { address: string } }>((res, rej) => discovery.Find({ name: 'sensor.resources' }, (e, r) => (e ? rej(e) : res(r!))));
      return new protos.Resources(found.service.address, grpc.credentials.createInsecure());
    } finally {
      discovery.close();
    }
  }

  it('reads a sensor value and lists units, status and services', async () => {
    const r = await sys.bash('cat units/sensor/temperature; ls units; ls units/sensor; ls services; cat status/sensor/state supervisor/state');
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['21.5', 'idle', 'sensor', 'config', 'counter', 'setpoint', 'temperature', 'sensor', 'sensor.resources', 'ready', 'running']);
    const pid = (await sys.bash('cat status/sensor/pid')).stdout;
    expect(Number(pid)).toBeGreaterThan(1);
    expect((await sys.bash('cat services/sensor.resources')).stdout).toMatch(/^unix:\/.+\.sock$/);
  });

  it('writes a setpoint that the unit itself then reports over gRPC', async () => {
    expect((await sys.bash('echo 42.5 > units/sensor/setpoint && cat units/sensor/setpoint')).stdout).toBe('42.5');
    const client = await sensorResources();
    try {
      const value = await new Promise<string>((res, rej) =>
        (client as unknown as { Read(r: object, cb: (e: grpc.ServiceError | null, m?: { value: string }) => void): void }).Read({ path: 'setpoint' }, (e, m) =>
          e ? rej(e) : res(m!.value),
        ),
      );
      expect(value).toBe('42.5');
    } finally {
      client.close();
    }
  });

  it('sees three consecutive updates in a bash watch loop', async () => {
    const r = await sys.script('fs-watch-loop.sh', 'units/sensor/counter', '3');
    const seen = r.stdout.split('\n').map(Number);
    expect(r.exitCode).toBe(0);
    expect(seen).toHaveLength(3);
    expect([seen[1]! - seen[0]!, seen[2]! - seen[1]!]).toEqual([1, 1]);
  });

  it('answers errno values a script can see', async () => {
    expect((await sys.script('fs-errno.sh', 'cat', 'units/nope/temperature')).stdout).toBe('exit=1 No such file or directory');
    expect((await sys.script('fs-errno.sh', 'cat', 'status/nope/state')).stdout).toBe('exit=1 No such file or directory');
    expect((await sys.script('fs-errno.sh', 'write', 'units/sensor/temperature', '30')).stdout).toBe('exit=1 Permission denied');
    expect((await sys.script('fs-errno.sh', 'write', 'status/sensor/state', 'ready')).stdout).toBe('exit=1 Permission denied');
    expect((await sys.script('fs-errno.sh', 'write', 'status/sensor/control', 'explode')).stdout).toBe('exit=1 Invalid argument');
    expect((await sys.script('fs-errno.sh', 'write', 'units/sensor/setpoint', 'warm')).stdout).toBe('exit=1 Invalid argument');
    expect((await sys.script('fs-errno.sh', 'write', 'supervisor/control', 'explode')).stdout).toBe('exit=1 Invalid argument');
  });

  it('gives EIO, not a hang, when a unit stops answering', async () => {
    const pid = Number((await sys.bash('cat status/sensor/pid')).stdout);
    process.kill(pid, 'SIGSTOP');
    try {
      expect((await sys.script('fs-errno.sh', 'cat', 'units/sensor/temperature')).stdout).toBe('exit=1 Input/output error');
      // The rest of the view still answers meanwhile.
      expect((await sys.bash('cat status/idle/state')).stdout).toBe('ready');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('the sensor to answer again', async () => (await sys.bash('cat units/sensor/temperature')).stdout === '21.5');
  });

  it('restarts a unit through its control file while a script watches its state', async () => {
    const before = Number((await sys.bash('cat status/sensor/pid')).stdout);
    const r = await sys.bash(
      'exec 3< status/sensor/state.watch; echo restart > status/sensor/control || exit 9; ' +
        'while read -r s <&3; do echo "$s"; [ "$s" = ready ] && break; done; cat status/sensor/pid',
    );
    const lines = r.stdout.split('\n');
    expect(r.exitCode).toBe(0);
    expect(lines[0]).toBe('stopping');
    expect(lines[lines.length - 2]).toBe('ready');
    const after = Number(lines[lines.length - 1]);
    expect(after).toBeGreaterThan(1);
    expect(after).not.toBe(before);
  });

  it('serves the same tree through supervisor fs as through the mount', async () => {
    const [viaMount, viaCli] = await Promise.all([sys.bash('ls status/sensor; cat status/idle/pid'), sys.cli('fs', 'ls', 'status/sensor')]);
    const pid = await sys.cli('fs', 'cat', 'status/idle/pid');
    expect(`${viaCli.stdout}\n${pid.stdout}`).toBe(viaMount.stdout);
  });

  it('is visible to the supervisor user only', async () => {
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    const line = mounts.split('\n').find((l) => l.split(' ')[1] === sys.mount) ?? '';
    expect(line).toContain('fuse.ensemble');
    expect(line).not.toContain('allow_other');
  });
});

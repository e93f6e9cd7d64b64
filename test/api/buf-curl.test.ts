import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkRunner, startSystem, type RunningSystem } from './system-harness.js';

const run = promisify(execFile);
let sys: RunningSystem;

/** `buf curl` over the supervisor's Unix socket: a generic gRPC client that knows nothing of our protos. */
async function bufCurl(...args: string[]): Promise<string> {
  const { stdout } = await run('npx', ['--no-install', 'buf', 'curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--unix-socket', sys.home.paths.apiSocket, ...args], {
    timeout: 60_000,
  });
  return stdout;
}

beforeAll(async () => {
  sys = await startSystem(sdkRunner('echo', 'sdk-echo.mjs'));
});

afterAll(async () => {
  await sys?.close();
});

describe('buf curl against the supervisor (server reflection)', () => {
  it('lists every service', async () => {
    const services = (await bufCurl('--list-services', 'http://localhost')).trim().split('\n').sort();
    expect(services).toEqual(
      expect.arrayContaining(['ensemble.discovery.v1.Discovery', 'ensemble.supervisor.v1.Supervisor', 'grpc.health.v1.Health']),
    );
  });

  it('calls ListUnits and Find with JSON', async () => {
    const units = JSON.parse(await bufCurl('http://localhost/ensemble.supervisor.v1.Supervisor/ListUnits')) as { units: { name: string; state: string; pid: number }[] };
    expect(units.units).toEqual([expect.objectContaining({ name: 'echo', state: 'ready', pid: sys.supervisor.getUnit('echo').pid })]);
    const found = JSON.parse(await bufCurl('-d', '{"name":"demo.echo.v1.Echo"}', 'http://localhost/ensemble.discovery.v1.Discovery/Find')) as { service: { unit: string; unitState: string } };
    expect(found.service).toMatchObject({ unit: 'echo', unitState: 'ready' });
  });
});

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type NodeProcess } from '../helpers/cluster.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { REPO_ROOT } from '../helpers/supervisor-child.js';
import { sdkRunner, startSystem, type RunningSystem } from '../helpers/system-harness.js';

const run = promisify(execFile);
const BUF = join(REPO_ROOT, 'node_modules', '.bin', 'buf');
const TOKEN = 'buf-curl-network-token';
let sys: RunningSystem;
let node: NodeProcess;

/**
 * `buf curl`: a generic gRPC client written in Go that knows nothing of our
 * protos and links the descriptors it gets through server reflection strictly
 * (a file that uses another file's types must name it as a dependency).
 */
async function bufCurl(target: { socket?: string; url: string; header?: string }, ...args: string[]): Promise<string> {
  const where = target.socket ? ['--unix-socket', target.socket] : [];
  const header = target.header ? ['-H', target.header, '--reflect-header', target.header] : [];
  const { stdout } = await run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...where, ...header, ...args, target.url], {
    timeout: 60_000,
  });
  return stdout;
}

/** A harmless call of each service a listener may serve: method and request. */
const PROBE_CALLS: Record<string, { method: string; body: string }> = {
  'ensemble.discovery.v1.Discovery': { method: 'List', body: '{}' },
  'ensemble.supervisor.v1.Supervisor': { method: 'Status', body: '{}' },
  'ensemble.network.v1.Network': { method: 'ListNodes', body: '{}' },
  'ensemble.network.v1.Peer': { method: 'ListUnits', body: '{}' },
  'ensemble.resources.v1.Resources': { method: 'List', body: '{}' },
  'grpc.health.v1.Health': { method: 'Check', body: '{}' },
  'demo.echo.v1.Echo': { method: 'Say', body: '{"text":"via reflection"}' },
};

/**
 * Every service the listener lists: `--list-methods` succeeds (every file
 * links), and one method of each is called through reflection alone.
 * Returns the services listed.
 */
async function callEveryService(target: { socket?: string; url: string; header?: string }): Promise<string[]> {
  const methods = (await bufCurl(target, '--list-methods')).trim().split('\n');
  const services = [...new Set(methods.map((m) => m.split('/')[0] ?? ''))].sort();
  for (const service of services) {
    const probe = PROBE_CALLS[service];
    expect(probe, `a probe call for ${service}`).toBeDefined();
    const answer = await bufCurl({ ...target, url: `${target.url}/${service}/${probe!.method}` }, '-d', probe!.body);
    expect(() => JSON.parse(answer) as unknown, `${service}/${probe!.method} answers JSON`).not.toThrow();
  }
  return services;
}

beforeAll(async () => {
  sys = await startSystem(sdkRunner('echo', 'sdk-echo.mjs'));
  node = await startNode({
    name: 'a',
    ensemble: `network "lab" {\n  token: "{{ env.TEST_NETWORK_TOKEN }}"\n}\nrunner ready "${fixture('unit-ready.mjs')}" {}\n`,
    env: { TEST_NETWORK_TOKEN: TOKEN },
  });
});

afterAll(async () => {
  await sys?.close();
  await node?.stop();
});

describe('buf curl through server reflection alone', () => {
  it('lists every service of the local socket and calls one method of each', async () => {
    const services = await callEveryService({ socket: sys.home.paths.apiSocket, url: 'http://localhost' });
    expect(services).toEqual(expect.arrayContaining(['ensemble.discovery.v1.Discovery', 'ensemble.supervisor.v1.Supervisor', 'grpc.health.v1.Health']));
    // Served elsewhere (by units, on the TCP listener): not advertised here.
    expect(services).not.toContain('ensemble.resources.v1.Resources');
    expect(services).not.toContain('ensemble.network.v1.Peer');
  });

  it('calls ListUnits and Find with JSON', async () => {
    const local = { socket: sys.home.paths.apiSocket, url: 'http://localhost' };
    const units = JSON.parse(await bufCurl({ ...local, url: `${local.url}/ensemble.supervisor.v1.Supervisor/ListUnits` })) as { units: { name: string; state: string; pid: number }[] };
    expect(units.units).toEqual([expect.objectContaining({ name: 'echo', state: 'ready', pid: sys.supervisor.getUnit('echo').pid })]);
    const found = JSON.parse(await bufCurl({ ...local, url: `${local.url}/ensemble.discovery.v1.Discovery/Find` }, '-d', '{"name":"demo.echo.v1.Echo"}')) as {
      service: { unit: string; unitState: string };
    };
    expect(found.service).toMatchObject({ unit: 'echo', unitState: 'ready' });
  });

  it('lists and calls every service of an SDK unit', async () => {
    const found = JSON.parse(await bufCurl({ socket: sys.home.paths.apiSocket, url: 'http://localhost/ensemble.discovery.v1.Discovery/Find' }, '-d', '{"name":"echo"}')) as {
      service: { address: string };
    };
    const services = await callEveryService({ url: `http://${found.service.address}` });
    expect(services).toEqual(['demo.echo.v1.Echo', 'ensemble.resources.v1.Resources', 'grpc.health.v1.Health']);
  });

  it('lists and calls every service of the network listener, with the network token', async () => {
    const services = await callEveryService({ url: `http://127.0.0.1:${node.port}`, header: `x-ensemble-network-token: ${TOKEN}` });
    expect(services).toEqual(['ensemble.discovery.v1.Discovery', 'ensemble.network.v1.Peer', 'grpc.health.v1.Health']);
  });
});

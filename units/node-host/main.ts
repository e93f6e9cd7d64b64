/**
 * `@ensemble/node-host`: runs every `service runner` child — a Node module
 * written with the SDK — inside this one process (docs/units.md "node-host").
 *
 * Each child gets its own environment contract (name, properties, state
 * directory) and a private supervisor proxy; its services are registered in
 * the host's name, its resources appear under `units/<host>/<child>/`, and
 * the host is ready once every child called `ready()`.
 *
 * Properties: `on_child_failure` — `exit` (default: the host exits with code
 * 1, the supervisor restarts it by its restart policy) or `isolate` (the
 * child is marked failed, its services leave discovery, siblings run on);
 * `stop_grace` (how long children's shutdown hooks may take, default 5s).
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { currentHostedUnit, HealthStatus, InvalidArgumentError, loadProtos, readUnitEnvironment, SupervisorLink, SupervisorWatchdog } from '../../src/sdk/host.js';
import { hostChildren } from '../common/host-children.js';
import { durationProperty, PropertyError } from '../common/properties.js';
import { errorMessage, unitLog } from '../common/unit-log.js';
import { bindServer } from '../../src/wire/server-bind.js';
import { aggregatedResources, HOST_DIR } from './aggregated-resources.js';
import { ChildProxy } from './child-proxy.js';
import { newChildState, type ChildState } from './child-state.js';
import { childOfError, childStateDir, loadChild } from './load-child.js';

const env = readUnitEnvironment(process.env);
const host = env.unit;
const props = env.properties;
const policy = props.on_child_failure ?? 'exit';
if (policy !== 'exit' && policy !== 'isolate') throw new PropertyError(host, 'on_child_failure', '"exit" or "isolate"', policy);
const stopGraceMs = durationProperty(props, 'stop_grace', 5000, host);
const specs = hostChildren(props, host);
if (specs.length === 0) throw new InvalidArgumentError(`${host}: @ensemble/node-host needs service runner children`);
for (const s of specs) if (s.name === HOST_DIR) throw new InvalidArgumentError(`${host}: a hosted unit cannot be named "${HOST_DIR}" (the host's own resources live there)`);

const children = new Map<string, ChildState>(specs.map((s) => [s.name, newChildState(s.name)]));
const proxies = new Map<string, ChildProxy>();
const link = new SupervisorLink(env.supervisor, env.token);
let hostReady = false;
let stopping = false;

// The host's own server: health and every child's resources under one Resources service.
const protos = loadProtos();
const server = new grpc.Server();
const health = new HealthStatus({ '': 'SERVING' });
server.addService(protos.Health.service, health.handlers());
server.addService(protos.Resources.service, aggregatedResources(children));
const port = await bindServer(server, '127.0.0.1:0');
await link.register(host, [{ name: `${host}.resources`, aliases: [], family: 'ensemble.resources.v1.Resources', friendlyName: `resources of ${host} and its hosted units`, address: `127.0.0.1:${port}` }]);

const watchdog = new SupervisorWatchdog(link.health, 5000, () => {
  unitLog.error(`lost the supervisor at ${env.supervisor}; stopping`);
  void shutdown(1);
});

/** A child failed: report it, then apply the host's policy. */
function fail(child: ChildState, e: unknown): void {
  if (child.phase === 'failed' || stopping) return;
  child.phase = 'failed';
  child.error = errorMessage(e);
  unitLog.error(`hosted unit ${child.name} failed: ${child.error}`);
  if (policy === 'exit') {
    unitLog.error(`on_child_failure is "exit": stopping ${host} so the supervisor restarts it`);
    void shutdown(1);
    return;
  }
  proxies.get(child.name)?.stop();
  const names = [...child.services];
  child.services.clear();
  if (names.length > 0) link.call(link.discovery, 'Unregister', { unit: host, names }).catch(() => undefined);
  checkReady();
}

/** Ready once every child is ready (failed children count as settled under `isolate`). */
function checkReady(): void {
  if (hostReady || stopping) return;
  if (![...children.values()].every((c) => c.phase === 'ready' || c.phase === 'failed')) return;
  hostReady = true;
  const failed = [...children.values()].filter((c) => c.phase === 'failed').map((c) => c.name);
  link.ready(host).then(
    () => {
      watchdog.start();
      unitLog.info(`node host ready: ${children.size} hosted unit(s)${failed.length ? `, failed: ${failed.join(', ')}` : ''}`);
    },
    (e: unknown) => unitLog.error(`cannot report ready: ${errorMessage(e)}`),
  );
}

/** Stop: children's shutdown hooks (they get SIGTERM like the host), then the host's registrations. */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  watchdog.stop();
  health.setAll('NOT_SERVING');
  const waiting = [...children.values()].filter((c) => c.connected && c.exitCode === null && c.phase !== 'failed');
  // Children's shutdown hooks listen to SIGTERM; when the host stops on its own, they hear it too.
  if (code !== 0 && waiting.length > 0) process.emit('SIGTERM', 'SIGTERM');
  const deadline = Date.now() + stopGraceMs;
  while (waiting.some((c) => c.exitCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  for (const p of proxies.values()) p.stop();
  await link.unregister(host).catch(() => undefined);
  server.forceShutdown();
  link.close();
  process.exit(code);
}

const onSignal = () => void shutdown(0);
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
const onThrown = (e: unknown) => {
  // The hosted-unit context survives into uncaught errors of the child's async work; the stack is the fallback.
  const child = children.get(currentHostedUnit()?.env.ENSEMBLE_UNIT ?? '') ?? children.get(childOfError(e) ?? '');
  if (child) return fail(child, e);
  unitLog.error(`uncaught error outside any hosted unit: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  void shutdown(1);
};
process.on('uncaughtException', onThrown);
process.on('unhandledRejection', onThrown);

const base = env.stateDir ? join(env.stateDir, 'children') : await mkdtemp(join(tmpdir(), 'ensemble-host-'));
mkdirSync(base, { recursive: true });
await Promise.all(
  specs.map(async (spec) => {
    const child = children.get(spec.name) as ChildState;
    const socket = join(base, `${spec.name}.sock`);
    const proxy = await ChildProxy.start(socket.length < 100 ? socket : join(await mkdtemp(join(tmpdir(), 'ens-')), 'c.sock'), host, child, link, {
      ready: (c) => {
        if (c.phase === 'failed') return;
        c.phase = 'ready';
        checkReady();
      },
    });
    proxies.set(spec.name, proxy);
    const exit = (code: number) => {
      child.exitCode = code;
      if (!stopping) {
        child.phase = 'stopped';
        fail(child, new Error(`hosted unit ${child.name} shut down by itself (code ${code})`));
      }
    };
    try {
      await loadChild(spec, { supervisor: proxy.address, token: env.token, stateDir: childStateDir(env.stateDir, spec.name), exit });
      if (child.phase === 'loading') child.phase = 'running';
      if (spec.properties.readiness === 'started' && child.phase === 'running') {
        child.phase = 'ready';
        checkReady();
      }
    } catch (e) {
      fail(child, e);
    }
  }),
);

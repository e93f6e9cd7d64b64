/**
 * `@ensemble/etcd`: runs the system's etcd (Debian's `etcd-server`) as a
 * supervised child of this unit, with its flags generated from the unit's
 * properties, and reports ready once etcd's health endpoint says so
 * (docs/units.md "etcd").
 *
 * Properties: `binary` (default `etcd` on PATH), `name`, `data_dir`,
 * `client_urls`, `peer_urls`, `advertise_client_urls`,
 * `initial_advertise_peer_urls`, `initial_cluster`, `initial_cluster_state`,
 * `initial_cluster_token`, `heartbeat_interval`, `election_timeout`,
 * `cert_file`, `key_file`, `trusted_ca_file`, `client_cert_auth`,
 * `extra_args`, `stop_timeout`.
 */
import { findExecutable } from '../../src/sdk/host.js';
import { connect } from '../../src/sdk/index.js';
import { errorMessage, unitLog } from '../common/unit-log.js';
import { describeExit, EtcdChild } from './etcd-child.js';
import { etcdConfig, type EtcdConfig } from './etcd-config.js';
import { etcdEnvironment } from './etcd-environment.js';
import { etcdFlags } from './etcd-flags.js';
import { dialUrl } from './etcd-urls.js';
import { healthTlsOptions, waitHealthy } from './health-check.js';

/** Exit code of a unit that cannot start etcd as configured (a property, the binary). */
const EXIT_CONFIG = 2;

const unit = connect();
const owner = unit.name;

let config: EtcdConfig;
let binary: string;
try {
  config = etcdConfig(unit.properties(), { unit: owner, stateDir: unit.stateDir, cwd: process.cwd() });
  const found = findExecutable(config.binary, { cwd: process.cwd(), pathEnv: process.env.PATH ?? '' });
  if (!found.found) throw new Error(`${owner}: property "binary": ${found.message} (on Debian: apt install etcd-server)`);
  binary = found.file;
} catch (e) {
  unitLog.error(errorMessage(e));
  process.exit(EXIT_CONFIG);
}

let child: EtcdChild | null = null;
let stopping = false;
let healthy = false;
// Last resort on every exit path of this process (an uncaught error included): etcd never outlives the unit.
process.on('exit', () => child?.kill());

unit.onShutdown(async () => {
  stopping = true;
  if (child === null || !child.running) return;
  const end = await child.stop(config.stopTimeoutMs);
  if (end.killed) unitLog.warn(`etcd did not stop within ${config.stopTimeoutMs} ms of SIGTERM and was killed`);
  else unitLog.info(end.signal === 'SIGTERM' || end.code === 0 ? 'etcd stopped' : `etcd stopped (${describeExit(end)})`);
});

const args = etcdFlags(config);
try {
  child = await EtcdChild.start(binary, args, etcdEnvironment(process.env, args), unit.stateDir ?? process.cwd());
} catch (e) {
  unitLog.error(`${owner}: ${errorMessage(e)}`);
  process.exit(1);
}
const etcd = child;
unitLog.info(`etcd member ${config.name} started (pid ${etcd.pid}): clients ${config.advertiseClientUrls.join(',')}, peers ${config.initialAdvertisePeerUrls.join(',')}, data ${config.dataDir}`);

void etcd.exited.then(async (exit) => {
  if (stopping) return;
  stopping = true;
  unitLog.error(`etcd ended without being asked to (${describeExit(exit)}${healthy ? '' : ', before it became healthy'}); the unit exits with code 1 so the supervisor restarts it by its policy`);
  await Promise.race([unit.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  process.exit(1);
});

unit.resource('endpoints', { read: () => config.advertiseClientUrls.join(','), description: 'the client URLs etcd advertises' });
unit.resource('member', { read: () => config.name, description: 'the etcd member name' });
unit.resource('pid', { read: () => String(etcd.running ? etcd.pid : ''), description: 'the pid of the etcd process' });
unit.resource('healthy', { read: () => String(healthy), description: 'etcd answered its health endpoint' });
await unit.serve();

const healthUrl = dialUrl(config.clientUrls[0] as string);
const ok = await waitHealthy(healthUrl, healthTlsOptions(config.tls), {
  intervalMs: 250,
  stopped: () => stopping,
  onWaiting: (reason) => unitLog.info(`waiting for etcd health at ${healthUrl}/health: ${reason}`),
});
if (ok && !stopping) {
  healthy = true;
  await unit.ready();
  unitLog.info(`etcd member ${config.name} healthy at ${healthUrl}`);
}

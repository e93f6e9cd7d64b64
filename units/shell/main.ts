/**
 * `@ensemble/shell`: runs scripts POSTed over HTTP with bash, with the file
 * view and the supervisor in their environment (docs/units.md "shell").
 * Code execution by design: loopback only unless `allow_remote: true`, a
 * token on every request, a timeout and an output limit, every run logged.
 *
 * Properties: `listen` (default "127.0.0.1:0"), `allow_remote`, `token`
 * (else the file `token` in the state directory), `timeout` (30s),
 * `max_output` (bytes per stream, 1MB), `max_script` (1MB), `max_runs` (4),
 * `mount` (the file view's mount point, default `<runtime dir>/fs`).
 */
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { parseSize } from '../../src/sdk/host.js';
import { connect } from '../../src/sdk/index.js';
import { booleanProperty, durationProperty, integerProperty, PropertyError, stringProperty, type Properties } from '../common/properties.js';
import { unitLog } from '../common/unit-log.js';
import { createShellServer } from './shell-server.js';
import { shellToken, storeToken } from './shell-token.js';

const unit = connect();
const props = unit.properties();
const owner = unit.name;

/**
 * The token file could not be written (full or read-only disk): the shell runs
 * with the token in memory, says so once, and writes the file as soon as it can.
 */
function keepTryingToStore(file: string, reason: string, value: string): void {
  unitLog.warn(`cannot write the token file ${file}: ${reason}; the token is kept in memory and the file is written when the disk allows`);
  let delay = 1000;
  const retry = (): void => {
    if (storeToken(file, value) === null) {
      unitLog.info(`token file ${file} written`);
      return;
    }
    delay = Math.min(delay * 2, 30_000);
    setTimeout(retry, delay).unref();
  };
  setTimeout(retry, delay).unref();
}

function sizeProperty(p: Properties, name: string, fallback: number): number {
  const v = p[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'number' ? v : parseSize(String(v));
  if (n === null || n <= 0) throw new PropertyError(owner, name, 'a size such as "1MB"', v);
  return n;
}

const listen = stringProperty(props, 'listen', '127.0.0.1:0', owner);
const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(listen);
if (!m) throw new PropertyError(owner, 'listen', 'host:port such as "127.0.0.1:7680"', listen);
const hostName = (m[1] as string).replace(/^\[|\]$/g, '');
const loopback = hostName === 'localhost' || hostName === '::1' || (isIP(hostName) === 4 && hostName.startsWith('127.'));
if (!loopback && !booleanProperty(props, 'allow_remote', false, owner)) {
  throw new PropertyError(owner, 'listen', 'a loopback address (set allow_remote: true to listen elsewhere)', listen);
}
const { token, source, pending } = shellToken(stringProperty(props, 'token', null, owner), unit.stateDir);
if (pending) keepTryingToStore(pending.file, pending.reason, token);
const apiSocket = unit.supervisorAddress.startsWith('unix:') ? unit.supervisorAddress.slice('unix:'.length) : null;
const mount = stringProperty(props, 'mount', process.env.ENSEMBLE_FS ?? (apiSocket ? join(dirname(apiSocket), 'fs') : ''), owner);
const env: NodeJS.ProcessEnv = { ...process.env, ENSEMBLE_FS: mount, ENSEMBLE_SUPERVISOR: unit.supervisorAddress };
delete env.ENSEMBLE_TOKEN;
delete env.NOTIFY_SOCKET;

const server = createShellServer({
  token,
  maxScript: sizeProperty(props, 'max_script', 1024 * 1024),
  maxRuns: Math.max(1, integerProperty(props, 'max_runs', 4, owner)),
  run: { env, cwd: unit.stateDir ?? process.cwd(), timeoutMs: durationProperty(props, 'timeout', 30_000, owner), maxOutput: sizeProperty(props, 'max_output', 1024 * 1024) },
});
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(m[2]), hostName, () => resolve());
});
const address = server.address();
const port = typeof address === 'object' && address ? address.port : 0;
const url = `http://${hostName.includes(':') ? `[${hostName}]` : hostName}:${port}`;
unit.resource('address', { read: () => url, description: 'where to POST /run' });
unit.onShutdown(() => new Promise<void>((resolve) => server.close(() => resolve())));
await unit.serve();
await unit.ready();
unitLog.info(`shell listening on ${url}/run (token from ${source}; file view at ${mount || 'unknown'})`);

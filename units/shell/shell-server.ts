import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { unitLog } from '../common/unit-log.js';
import { runScript, type RunOptions } from './run-script.js';
import { bearerMatches } from './shell-token.js';

/** Options of the shell's HTTP server. */
export interface ShellServerOptions {
  readonly token: string;
  readonly run: RunOptions;
  /** Largest script accepted, in bytes. */
  readonly maxScript: number;
  /** Runs at the same time; more get 429. */
  readonly maxRuns: number;
}

/**
 * `POST /run` with the script as the body and `Authorization: Bearer TOKEN`:
 * runs it with bash and answers JSON `{exit_code, signal, stdout, stderr,
 * truncated, timed_out, duration_ms}`. `GET /health` answers 200 without a
 * token. Every run is logged (caller, size, script digest, outcome — never
 * the token or the script's output).
 */
export function createShellServer(options: ShellServerOptions): Server {
  let active = 0;
  let runs = 0;
  const reply = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  };
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const caller = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    if (req.method === 'GET' && req.url === '/health') return reply(res, 200, { ok: true });
    if (req.url !== '/run') return reply(res, 404, { error: 'not found: POST /run' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST /run' });
    if (!bearerMatches(req.headers.authorization, options.token)) {
      unitLog.warn(`refused a run from ${caller}: missing or wrong token`);
      req.resume();
      return reply(res, 401, { error: 'missing or wrong token (Authorization: Bearer TOKEN)' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > options.maxScript) tooLarge = true;
      else chunks.push(d);
    });
    req.on('end', () => {
      if (tooLarge) {
        unitLog.warn(`refused a run from ${caller}: script of ${size} bytes is above ${options.maxScript}`);
        return reply(res, 413, { error: `script larger than ${options.maxScript} bytes` });
      }
      if (active >= options.maxRuns) {
        unitLog.warn(`refused a run from ${caller}: ${active} runs already active`);
        return reply(res, 429, { error: `${active} scripts are running; try again later` });
      }
      const script = Buffer.concat(chunks).toString('utf8');
      const id = ++runs;
      const digest = createHash('sha256').update(script).digest('hex').slice(0, 12);
      active++;
      unitLog.info(`run #${id} from ${caller}: ${script.length} bytes, sha256 ${digest}`);
      void runScript(script, options.run).then((r) => {
        active--;
        const outcome = r.timedOut ? `killed after the ${options.run.timeoutMs} ms timeout` : r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
        unitLog.info(`run #${id}: ${outcome} in ${r.durationMs} ms${r.truncated ? ' (output truncated)' : ''}`);
        reply(res, 200, {
          exit_code: r.exitCode,
          signal: r.signal,
          stdout: r.stdout,
          stderr: r.stderr,
          truncated: r.truncated,
          timed_out: r.timedOut,
          duration_ms: r.durationMs,
        });
      });
    });
  });
}

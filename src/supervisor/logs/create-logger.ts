import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactLogArguments } from '../../ensemble/active-secrets.js';

/** Every line is written with the running plan's secret values masked (docs/language.md "Secrets"). */
const OPTIONS: LoggerOptions = {
  level: 'info',
  hooks: {
    logMethod(args, method) {
      method.apply(this, redactLogArguments(args) as Parameters<typeof method>);
    },
  },
};

/** `json`: one JSON object per line; `pretty`: readable lines; `auto`: pretty on a terminal, else JSON. */
export type LogFormat = 'json' | 'pretty' | 'auto';

/**
 * The supervisor's pino logger, writing synchronously to `destination` (no
 * worker thread, nothing lost at exit; the composition root passes stdout). Unit lines carry `unit` and `stream`
 * (`stdout`/`stderr`); the supervisor's own lines about a unit carry `unit`
 * and, for state changes, `event: "state"`, `from`, `state` and `unitPid`.
 *
 * `pretty` needs the optional package pino-pretty; without it the output
 * stays JSON (with a warning).
 */
export async function createLogger(format: LogFormat, destination: NodeJS.WritableStream & { fd?: number }): Promise<Logger> {
  const tty = (destination as { isTTY?: boolean }).isTTY === true;
  const pretty = format === 'pretty' || (format === 'auto' && tty);
  if (pretty) {
    try {
      const { default: pinoPretty } = await import('pino-pretty');
      const stream = pinoPretty({
        destination,
        sync: true,
        colorize: tty,
        ignore: 'pid,hostname,unit,stream,event,from,state,unitPid',
        messageFormat: (log, messageKey) => {
          const unit = typeof log.unit === 'string' ? log.unit : null;
          const stream = typeof log.stream === 'string' ? ` ${log.stream}` : '';
          const text = String(log[messageKey] ?? '');
          return unit ? `[${unit}${stream}] ${text}` : text;
        },
      });
      return pino(OPTIONS, stream);
    } catch {
      const logger = pino(OPTIONS, pino.destination({ dest: destination.fd ?? 1, sync: true }));
      logger.warn('pino-pretty is not installed; logging JSON');
      return logger;
    }
  }
  return pino(OPTIONS, destination.fd === 1 ? pino.destination({ dest: 1, sync: true }) : destination);
}

/**
 * Line logging for built-in units: one line per event on stdout (info) or
 * stderr (warnings and errors). The supervisor captures both streams line by
 * line and tags them with the unit's name, so no prefix or timestamp is added.
 * Never pass secrets (tokens) to these functions.
 */
export const unitLog = {
  info(message: string): void {
    process.stdout.write(`${oneLine(message)}\n`);
  },
  warn(message: string): void {
    process.stderr.write(`warning: ${oneLine(message)}\n`);
  },
  error(message: string): void {
    process.stderr.write(`error: ${oneLine(message)}\n`);
  },
};

/** Keep a log record on one line. */
function oneLine(text: string): string {
  return text.replace(/\r?\n/g, ' | ');
}

/** The message of anything thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * One sd_notify datagram, parsed (see sd_notify(3)). A datagram holds
 * newline-separated `NAME=value` assignments; unknown names are ignored.
 */
export interface NotifyMessage {
  /** `READY=1`. */
  readonly ready: boolean;
  /** `STOPPING=1`. */
  readonly stopping: boolean;
  /** `RELOADING=1`. */
  readonly reloading: boolean;
  /** `WATCHDOG=1` keep-alive. */
  readonly watchdog: boolean;
  /** `WATCHDOG=trigger`: the unit asks to be treated as hung. */
  readonly watchdogTrigger: boolean;
  /** `STATUS=…` free text. */
  readonly status: string | null;
  /** `ERRNO=…`. */
  readonly errno: number | null;
  /** `EXTEND_TIMEOUT_USEC=…` in milliseconds: the ready timeout is extended to now + this. */
  readonly extendTimeoutMs: number | null;
  /** `WATCHDOG_USEC=…` in milliseconds: a new watchdog interval. */
  readonly watchdogMs: number | null;
}

/** Parse one datagram. Never throws: malformed lines are ignored like systemd does. */
export function parseNotify(datagram: Buffer | string): NotifyMessage {
  const text = typeof datagram === 'string' ? datagram : datagram.toString('utf8');
  const message = {
    ready: false,
    stopping: false,
    reloading: false,
    watchdog: false,
    watchdogTrigger: false,
    status: null as string | null,
    errno: null as number | null,
    extendTimeoutMs: null as number | null,
    watchdogMs: null as number | null,
  };
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq);
    const value = line.slice(eq + 1);
    switch (name) {
      case 'READY':
        message.ready ||= value === '1';
        break;
      case 'STOPPING':
        message.stopping ||= value === '1';
        break;
      case 'RELOADING':
        message.reloading ||= value === '1';
        break;
      case 'WATCHDOG':
        if (value === '1') message.watchdog = true;
        else if (value === 'trigger') message.watchdogTrigger = true;
        break;
      case 'STATUS':
        message.status = value;
        break;
      case 'ERRNO':
        message.errno = toInt(value);
        break;
      case 'EXTEND_TIMEOUT_USEC':
        message.extendTimeoutMs = usecToMs(value);
        break;
      case 'WATCHDOG_USEC':
        message.watchdogMs = usecToMs(value);
        break;
    }
  }
  return message;
}

function toInt(value: string): number | null {
  return /^\d+$/.test(value) ? Number(value) : null;
}

function usecToMs(value: string): number | null {
  const n = toInt(value);
  return n === null ? null : Math.ceil(n / 1000);
}

import { describe, expect, it } from 'vitest';
import { parseNotify } from '../../../src/supervisor/process/sd-notify.js';

describe('parseNotify (sd_notify datagrams)', () => {
  it('reads several newline-separated assignments', () => {
    expect(parseNotify('STATUS=serving 3 clients\nREADY=1\nMAINPID=42\n')).toMatchObject({ ready: true, status: 'serving 3 clients', watchdog: false });
  });

  it('understands WATCHDOG, STOPPING, ERRNO and the timeouts in microseconds', () => {
    expect(parseNotify('WATCHDOG=1')).toMatchObject({ watchdog: true, watchdogTrigger: false });
    expect(parseNotify('WATCHDOG=trigger')).toMatchObject({ watchdog: false, watchdogTrigger: true });
    expect(parseNotify('STOPPING=1\nERRNO=2')).toMatchObject({ stopping: true, errno: 2 });
    expect(parseNotify('EXTEND_TIMEOUT_USEC=5000000\nWATCHDOG_USEC=1500')).toMatchObject({ extendTimeoutMs: 5000, watchdogMs: 2 });
  });

  it('ignores malformed and unknown lines and READY values other than 1', () => {
    expect(parseNotify('garbage\n=x\nREADY=0\nFDSTORE=1')).toMatchObject({ ready: false, status: null, errno: null, extendTimeoutMs: null });
    expect(parseNotify(Buffer.from([0xff, 0x0a, 0x52, 0x45, 0x41, 0x44, 0x59, 0x3d, 0x31])).ready).toBe(true);
  });
});

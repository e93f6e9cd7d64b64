import type { Probe, ProbeResult } from '../../supervisor/health-services.js';

/** A probe whose specification is invalid: every check fails with the reason. */
export class InvalidProbe implements Probe {
  constructor(
    readonly description: string,
    readonly reason: string,
  ) {}

  check(): Promise<ProbeResult> {
    return Promise.resolve({ ok: false, detail: `invalid probe ${JSON.stringify(this.description)}: ${this.reason}` });
  }
}

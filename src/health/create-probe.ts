import { parseProbe, type ProbeForm } from '../common/probe-form.js';
import { ExecProbe } from './probes/exec-probe.js';
import { GrpcProbe } from './probes/grpc-probe.js';
import { HttpProbe } from './probes/http-probe.js';
import { InvalidProbe } from './probes/invalid-probe.js';
import { TcpProbe } from './probes/tcp-probe.js';
import type { Probe, ProbeFactory, ProbeTarget } from '../supervisor/health-services.js';

/**
 * Build the probe of a unit's `health` block (forms: see {@link parseProbe}).
 *
 * Never throws: an invalid specification (which plan validation should have
 * caught) yields a probe whose every check fails with the reason, so the unit
 * shows the problem in its status instead of crashing the supervisor. Use
 * `parseProbe` to validate up front.
 */
export const createProbe: ProbeFactory = (spec, target) => {
  let form: ProbeForm;
  try {
    form = parseProbe(spec.probe);
  } catch (error) {
    return new InvalidProbe(spec.probe, (error as Error).message.replace(/^invalid probe "[^"]*": /, ''));
  }
  return probeFor(form, target);
};

function probeFor(form: ProbeForm, target: ProbeTarget): Probe {
  switch (form.type) {
    case 'grpc':
      return new GrpcProbe(target, form.service);
    case 'tcp':
      return new TcpProbe(form.host, form.port);
    case 'http':
      return new HttpProbe(form.url);
    case 'exec':
      return new ExecProbe(form.argv, target);
  }
}

import { formatDuration } from '../common/duration.js';
import { quoteShellWord } from '../common/shell-words.js';
import { formatSize } from '../common/size.js';
import { displayPath } from './diagnostic.js';
import type { NetworkSpec, Plan, UnitSpec } from './plan.js';
import { MASK } from './secret-fields.js';

// The mask and the masking of a whole plan live with the rule of what is a secret.
export { MASK, maskPlan } from './secret-fields.js';


function unitText(u: UnitSpec): string {
  const lines = [`unit ${u.name} (${u.kind}${u.compose ? `, compose ${u.compose}` : ''})`];
  const row = (k: string, v: string): void => {
    lines.push(`  ${k.padEnd(12)}${v}`);
  };
  row('command', [u.command, ...u.args].map(quoteShellWord).join(' '));
  row('directory', displayPath(u.workingDirectory));
  row('depends on', u.dependsOn.length ? u.dependsOn.join(', ') : '(none)');
  row('readiness', `${u.readiness} within ${formatDuration(u.readyTimeoutMs)}${u.watchdogMs !== null ? `, watchdog ${formatDuration(u.watchdogMs)}` : ''}`);
  const r = u.restart;
  row('restart', `${r.policy}, backoff ${formatDuration(r.backoffMs)}..${formatDuration(r.maxBackoffMs)}, at most ${r.maxRestarts} in ${formatDuration(r.windowMs)}, reset after ${formatDuration(r.resetAfterMs)}`);
  if (u.health) {
    const h = u.health;
    row('health', `${h.probe} every ${formatDuration(h.intervalMs)}, timeout ${formatDuration(h.timeoutMs)}, ${h.failures} failures, start period ${formatDuration(h.startPeriodMs)}`);
  }
  const l = u.limits;
  const limits = [
    l.memoryBytes !== undefined ? `memory ${formatSize(l.memoryBytes)}` : '',
    l.cpuPercent !== undefined ? `cpu ${l.cpuPercent}%` : '',
    l.pids !== undefined ? `pids ${l.pids}` : '',
  ].filter(Boolean);
  row('limits', limits.length ? limits.join(', ') : '(none)');
  row('stop', `${u.stop.signal}, SIGKILL after ${formatDuration(u.stop.timeoutMs)}`);
  row('logs', `rotate at ${formatSize(u.logs.maxBytes)}, keep ${u.logs.keep}`);
  row('placement', u.node === null ? 'every node' : `node ${u.node}`);
  if (u.user !== undefined || u.group !== undefined || u.groups !== undefined) {
    row('runs as', [u.user !== undefined ? `user ${u.user}` : '', u.group !== undefined ? `group ${u.group}` : '', u.groups !== undefined ? `groups [${u.groups.join(', ')}]` : ''].filter(Boolean).join(', '));
  }
  if (u.withheldEnv?.length) row('withheld', `${u.withheldEnv.join(' ')} (fed a secret: not inherited)`);
  if (Object.keys(u.env).length) row('env', Object.entries(u.env).map(([k, v]) => `${k}=${quoteShellWord(v)}`).join(' '));
  if (Object.keys(u.properties).length) row('properties', JSON.stringify(u.properties));
  for (const s of u.services) {
    row('service', `${s.name}: ${[s.resolvedPath, ...s.args].map(quoteShellWord).join(' ')}${Object.keys(s.properties).length ? ` ${JSON.stringify(s.properties)}` : ''}`);
  }
  row('declared', `${displayPath(u.source.file)}:${u.source.line}`);
  return lines.join('\n');
}

function networkText(n: NetworkSpec): string {
  const parts = [`listen ${n.listen ?? '(none)'}`, `peers ${n.peers.length ? n.peers.join(', ') : '(none)'}`, `token ${n.token ? MASK : '(none)'}`];
  if (n.tls) parts.push(`tls ca ${displayPath(n.tls.ca)}, cert ${displayPath(n.tls.cert)}, key ${displayPath(n.tls.key)}`);
  return `network "${n.name}": ${parts.join('; ')}`;
}

/** The plan as readable text: one block per unit in start order. Give it a masked plan ({@link maskPlan}): it prints values as they are, except the token. */
export function renderPlanText(plan: Plan): string {
  const out = [`plan for node "${plan.node}" from ${displayPath(plan.file)}: ${plan.units.length} units in start order`];
  if (plan.network) out.push(networkText(plan.network));
  for (const u of plan.units) out.push('', unitText(u));
  if (plan.elsewhere.length) out.push('', `on other nodes: ${plan.elsewhere.map((e) => `${e.name} (${e.node})`).join(', ')}`);
  return `${out.join('\n')}\n`;
}

/** The one-line summary `check` prints. */
export function summarizePlan(plan: Plan): string {
  const hosts = plan.units.filter((u) => u.services.length > 0).length;
  const services = plan.units.reduce((n, u) => n + u.services.length, 0);
  const parts = [`${plan.units.length} unit${plan.units.length === 1 ? '' : 's'} (${hosts} host${hosts === 1 ? '' : 's'}, ${services} service${services === 1 ? '' : 's'})`];
  if (plan.elsewhere.length) parts.push(`${plan.elsewhere.length} on other nodes`);
  if (plan.network) parts.push(`network "${plan.network.name}"`);
  return `ok: ${displayPath(plan.file)}: ${parts.join(', ')}`;
}

import { constants } from 'node:os';
import path from 'node:path';
import { readProbe } from '../common/probe-form.js';
import { splitShellWords } from '../common/shell-words.js';
import { FieldReader, toPropertyBlock } from './field-reader.js';
import type { HealthSpec, LimitsSpec, PropertyValue, ReadinessMode, RestartPolicyName, ServiceRunnerSpec, UnitKind, UnitSpec } from './plan.js';
import type { Reporter } from './reporter.js';
import type { RealPosition } from './source-map.js';
import type { FieldNode, RunnerNode, ValueNode } from './syntax/ast.js';
import { readRunAs } from './run-as-fields.js';
import { DEFAULTS } from './unit-defaults.js';
import { BUILTIN_PREFIX, kindOfPath, resolveCommand } from './unit-kind.js';
import { deriveName, unitNameProblem } from './unit-name.js';

/** Every field a runner body accepts. */
export const RUNNER_FIELDS = [
  'arguments',
  'env',
  'properties',
  'depends_on',
  'readiness',
  'activation',
  'keep_alive',
  'ready_timeout',
  'watchdog',
  'restart',
  'health',
  'limits',
  'stop',
  'logs',
  'working_directory',
  'kind',
  'user',
  'group',
  'groups',
] as const;

/** Fields of a `service runner` child. */
export const CHILD_FIELDS = ['arguments', 'properties'] as const;

const RESTART_FIELDS = ['policy', 'backoff', 'max_backoff', 'max_restarts', 'window', 'reset_after'];
const HEALTH_FIELDS = ['probe', 'interval', 'timeout', 'failures', 'start_period'];
const LIMITS_FIELDS = ['memory', 'cpu', 'pids'];
const STOP_FIELDS = ['signal', 'timeout'];
const LOGS_FIELDS = ['max_size', 'keep'];
const POLICIES: readonly RestartPolicyName[] = ['always', 'on-failure', 'never'];
const READINESS: readonly ReadinessMode[] = ['notify', 'started', 'health'];

/** A compiled runner with what later checks need. */
export interface CompiledUnit {
  readonly spec: UnitSpec;
  readonly node: RunnerNode;
  readonly namePos: RealPosition;
  readonly dependsOn: readonly { readonly name: string; readonly pos: RealPosition }[];
}

/** Evaluates a list of conditions; false when one is false or invalid. */
export type ConditionCheck = (conditions: RunnerNode['conditions']) => boolean;

function args(reader: FieldReader, r: Reporter): string[] {
  const f = reader.field('arguments');
  if (!f) return [];
  const v = f.value;
  if (v.kind === 'string') {
    const split = splitShellWords(v.value);
    if ('error' in split) {
      r.invalid({ ...v.pos, column: v.pos.column + 1 + split.offset }, `arguments: ${split.error} in arguments`);
      return [];
    }
    return split.words;
  }
  if (v.kind === 'list') {
    const out: string[] = [];
    for (const item of v.items) {
      if (item.kind === 'string' || item.kind === 'word') out.push(item.value);
      else if (item.kind === 'number' || item.kind === 'duration' || item.kind === 'size' || item.kind === 'percent') out.push(item.raw);
      else if (item.kind === 'boolean') out.push(String(item.value));
      else reader.wrong('arguments', 'strings in the list', item);
    }
    return out;
  }
  reader.wrong('arguments', 'a string ("--port 0 -v") or a list (["--port", "0"])', v);
  return [];
}

function properties(reader: FieldReader, where: string, r: Reporter): Record<string, PropertyValue> {
  const fields = reader.block('properties');
  return fields ? toPropertyBlock(fields, where, r) : {};
}

function keepAliveFromProperties(fields: readonly FieldNode[] | undefined, r: Reporter): { value: boolean; pos: RealPosition } | undefined {
  const f = fields?.find((x) => x.key === 'keep_alive');
  if (!f) return undefined;
  const v: ValueNode = f.value;
  if (v.kind === 'boolean') return { value: v.value, pos: f.keyPos };
  if (v.kind === 'string' && (v.value === 'true' || v.value === 'false')) return { value: v.value === 'true', pos: f.keyPos };
  r.invalid(v.pos, `properties.keep_alive: expected true or false, got ${v.kind === 'string' ? `the string "${v.value}"` : 'another value'}`);
  return undefined;
}

function signalName(s: string): NodeJS.Signals | null {
  const up = s.toUpperCase();
  const name = up.startsWith('SIG') ? up : `SIG${up}`;
  return name in constants.signals ? (name as NodeJS.Signals) : null;
}

function sub(reader: FieldReader, key: string, allowed: string[], r: Reporter): FieldReader | undefined {
  const fields = reader.block(key);
  return fields ? new FieldReader(fields, allowed, `${key}.`, r) : undefined;
}

function compileChildren(node: RunnerNode, hostDir: string, check: ConditionCheck, r: Reporter): ServiceRunnerSpec[] {
  const out: ServiceRunnerSpec[] = [];
  if (node.children.length === 0) return out;
  const seen = new Map<string, RealPosition>();
  for (const c of node.children) {
    if (c.recovered) continue;
    const reader = new FieldReader(c.fields, CHILD_FIELDS, '', r, 'service runner field');
    const props = properties(reader, 'properties', r);
    const a = args(reader, r);
    if (c.path === '') r.invalid(c.pathPos, 'the path of a service runner must not be empty');
    let name = c.name;
    if (name === null) {
      const base = deriveName(c.path);
      name = base;
      for (let i = 2; seen.has(name); i++) name = `${base}-${i}`;
    } else {
      const problem = unitNameProblem(name, c.origin);
      if (problem) r.invalid(c.namePos, problem);
    }
    if (!check(c.conditions)) continue;
    const first = seen.get(name);
    if (first && c.name !== null) {
      r.invalid(c.namePos, `duplicate service runner name "${name}" in host "${node.name ?? deriveName(node.path)}" (first at line ${first.line})`);
      continue;
    }
    seen.set(name, c.namePos);
    const kind = kindOfPath(c.path);
    out.push({ name, path: c.path, resolvedPath: resolveCommand(c.path, kind, hostDir), args: a, properties: props, source: c.pos });
  }
  return out;
}

/**
 * Compile one runner statement into a UnitSpec: every field of the language,
 * with defaults, Tinkwell forms (`activation`, `keep_alive`, `properties:`)
 * and type checks. Problems are reported; a best-effort spec is returned.
 */
export function compileRunner(node: RunnerNode, name: string, check: ConditionCheck, r: Reporter): CompiledUnit {
  const baseDir = path.dirname(node.origin.file);
  const reader = new FieldReader(node.fields, RUNNER_FIELDS, '', r);
  if (node.path === '') r.invalid(node.pathPos, 'the path of a runner must not be empty');
  else if (node.path.startsWith(BUILTIN_PREFIX) && !/^@ensemble\/[a-z0-9][a-z0-9._-]*$/.test(node.path)) {
    r.invalid(node.pathPos, `"${node.path}" is not a built-in unit name (@ensemble/<name>, lower case)`);
  }

  const kindOverride = reader.choice<Exclude<UnitKind, 'builtin'>>('kind', ['node', 'exec', 'wasm']);
  const kind: UnitKind = kindOverride ?? kindOfPath(node.path);

  const env: Record<string, string> = {};
  const envFields = reader.block('env');
  for (const f of envFields ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(f.key)) {
      r.invalid(f.keyPos, `env: "${f.key}" is not a valid environment variable name`);
      continue;
    }
    if (f.key in env) {
      r.invalid(f.keyPos, `env.${f.key} is given twice`);
      continue;
    }
    const v = f.value;
    if (v.kind === 'string' || v.kind === 'word') env[f.key] = v.value;
    else if (v.kind === 'number' || v.kind === 'duration' || v.kind === 'size' || v.kind === 'percent') env[f.key] = v.raw;
    else if (v.kind === 'boolean') env[f.key] = String(v.value);
    else r.invalid(v.pos, `env.${f.key}: expected a string, got ${v.kind === 'list' ? 'a list' : v.kind === 'block' ? 'a block' : `"${v.raw}"`}`);
  }

  const props = properties(reader, 'properties', r);
  const keepAliveProp = keepAliveFromProperties(reader.block('properties'), r);
  delete props['keep_alive'];

  const dependsOn: { name: string; pos: RealPosition }[] = [];
  const dep = reader.field('depends_on')?.value;
  if (dep) {
    const items = dep.kind === 'list' ? dep.items : [dep];
    const listed = new Set<string>();
    for (const item of items) {
      if (item.kind === 'word' || item.kind === 'string') {
        if (listed.has(item.value)) r.invalid(item.pos, `depends_on: "${item.value}" is listed twice`);
        else {
          listed.add(item.value);
          dependsOn.push({ name: item.value, pos: item.pos });
        }
      } else reader.wrong('depends_on', 'unit names such as [store, "api"]', item);
    }
  }

  // Readiness: explicit, or Tinkwell's activation, or the kind's default.
  let readiness = reader.choice('readiness', READINESS);
  const activation = reader.choice('activation', ['blocking', 'non_blocking'] as const);
  if (activation !== undefined) {
    if (reader.has('readiness')) reader.problem('activation', 'cannot be combined with readiness (activation is the Tinkwell name for it)', reader.field('activation')?.keyPos);
    else readiness = activation === 'blocking' ? 'notify' : 'started';
  }
  const composeDefault: ReadinessMode | undefined = node.origin.compose === 'service' ? 'notify' : node.origin.compose === 'agent' ? 'started' : undefined;
  readiness ??= composeDefault ?? (kind === 'builtin' ? 'notify' : 'started');

  // Restart: keep_alive (field or Tinkwell property) sets the policy; a restart block wins over nothing else.
  const restartReader = sub(reader, 'restart', RESTART_FIELDS, r);
  let policy: RestartPolicyName = DEFAULTS.restart.policy;
  const keepAlive = reader.boolean('keep_alive');
  if (keepAlive !== undefined && keepAliveProp !== undefined) r.invalid(keepAliveProp.pos, 'keep_alive is given both as a field and as a property');
  const ka = keepAlive ?? keepAliveProp?.value;
  if (ka !== undefined) policy = ka ? 'on-failure' : 'never';
  const restartPolicy = restartReader?.choice('policy', POLICIES);
  if (restartPolicy !== undefined) {
    if (ka !== undefined) restartReader?.problem('policy', 'cannot be combined with keep_alive (keep_alive is the Tinkwell name for it)', restartReader.field('policy')?.keyPos);
    else policy = restartPolicy;
  }
  const restart = {
    policy,
    backoffMs: restartReader?.duration('backoff') ?? DEFAULTS.restart.backoffMs,
    maxBackoffMs: restartReader?.duration('max_backoff') ?? DEFAULTS.restart.maxBackoffMs,
    maxRestarts: restartReader?.integer('max_restarts', 0) ?? DEFAULTS.restart.maxRestarts,
    windowMs: restartReader?.duration('window') ?? DEFAULTS.restart.windowMs,
    resetAfterMs: restartReader?.duration('reset_after') ?? DEFAULTS.restart.resetAfterMs,
  };
  if (restart.maxBackoffMs < restart.backoffMs && restartReader?.has('max_backoff')) {
    restartReader.problem('max_backoff', `must not be shorter than restart.backoff (${restart.backoffMs}ms)`);
  }

  let health: HealthSpec | null = null;
  const healthReader = sub(reader, 'health', HEALTH_FIELDS, r);
  if (healthReader) {
    const probe = healthReader.string('probe') ?? 'grpc';
    const read = readProbe(probe);
    if ('problem' in read && healthReader.has('probe')) healthReader.problem('probe', read.problem);
    health = {
      probe,
      intervalMs: healthReader.duration('interval') ?? DEFAULTS.health.intervalMs,
      timeoutMs: healthReader.duration('timeout') ?? DEFAULTS.health.timeoutMs,
      failures: healthReader.integer('failures', 1) ?? DEFAULTS.health.failures,
      startPeriodMs: healthReader.duration('start_period') ?? DEFAULTS.health.startPeriodMs,
    };
  }
  if (readiness === 'health' && health === null && reader.has('readiness')) {
    reader.problem('readiness', '"health" needs a health { probe: … } block');
  }

  const limitsReader = sub(reader, 'limits', LIMITS_FIELDS, r);
  const memoryBytes = limitsReader?.size('memory');
  const cpuPercent = limitsReader?.percent('cpu');
  const pids = limitsReader?.integer('pids', 1);
  // Only the limits that are set (assignments: spreading temporary objects is slow per unit).
  const limits: { -readonly [K in keyof LimitsSpec]: LimitsSpec[K] } = {};
  if (memoryBytes !== undefined) limits.memoryBytes = memoryBytes;
  if (cpuPercent !== undefined) limits.cpuPercent = cpuPercent;
  if (pids !== undefined) limits.pids = pids;

  const stopReader = sub(reader, 'stop', STOP_FIELDS, r);
  let signal: NodeJS.Signals = DEFAULTS.stop.signal;
  const sig = stopReader?.string('signal', true);
  if (sig !== undefined) {
    const s = signalName(sig);
    if (s) signal = s;
    else stopReader?.problem('signal', `"${sig}" is not a signal name (such as SIGTERM, SIGINT, SIGQUIT)`);
  }
  const stop = { signal, timeoutMs: stopReader?.duration('timeout') ?? DEFAULTS.stop.timeoutMs };

  const logsReader = sub(reader, 'logs', LOGS_FIELDS, r);
  const logs = { maxBytes: logsReader?.size('max_size') ?? DEFAULTS.logs.maxBytes, keep: logsReader?.integer('keep', 0) ?? DEFAULTS.logs.keep };

  const wd = reader.string('working_directory');
  const runAs = readRunAs(reader);
  const services = compileChildren(node, baseDir, check, r);

  const spec: UnitSpec = {
    name,
    kind,
    path: node.path,
    command: resolveCommand(node.path, kind, baseDir),
    args: args(reader, r),
    env,
    properties: props,
    dependsOn: dependsOn.map((d) => d.name),
    readiness,
    readyTimeoutMs: reader.duration('ready_timeout') ?? DEFAULTS.readyTimeoutMs,
    watchdogMs: reader.duration('watchdog') ?? null,
    restart,
    health,
    limits,
    stop,
    logs,
    workingDirectory: wd !== undefined ? path.resolve(baseDir, wd) : baseDir,
    ...runAs,
    node: node.on?.text ?? null,
    services,
    compose: node.origin.compose,
    source: node.pos,
  };
  return { spec, node, namePos: node.namePos, dependsOn };
}

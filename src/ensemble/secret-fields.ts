import type { Plan, PropertyValue, UnitSpec } from './plan.js';

/**
 * The one rule of what an ensemble file uses as a secret (docs/language.md
 * "Secrets"), and the masks built on it. Every printer of plan data (render,
 * render --json, diff, ps, logs) goes through this module, so a new kind of
 * secret (e.g. a `secret` declaration) is added here once.
 */

/** What a secret looks like wherever it is printed (text and JSON). */
export const MASK = '********';

/**
 * A secret value shorter than this is masked where it stands (its field) but
 * not searched for inside other text: searching for `1` or `abc` would mask
 * unrelated text everywhere.
 */
export const MIN_SEARCHED_LENGTH = 6;

/** Last words that make a name secret on their own. */
const SECRET_WORDS: ReadonlySet<string> = new Set(['token', 'tokens', 'password', 'passwords', 'passwd', 'passphrase', 'secret', 'secrets', 'apikey']);
/** Words that, in front of a last word `key`, make a key name secret (`api_key`, `private_key`, …). */
const KEY_QUALIFIERS: ReadonlySet<string> = new Set(['api', 'private', 'secret', 'access', 'signing', 'encryption', 'auth', 'client', 'master', 'license']);

/** The words of a name: split at `_`, `-`, `.`, spaces and camelCase boundaries, lower case. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * True when a property, field or `env` name holds a secret: its last word
 * (split at `_ - .` and camelCase) is `token`, `password`, `passwd`,
 * `passphrase`, `secret`, `apikey` (or the plurals `tokens`, `passwords`,
 * `secrets`); or the name is exactly `key`; or its last word is `key` after
 * one of `api private secret access signing encryption auth client master
 * license` (`api_key`, `apiKey`, `private_key`, `AWS_SECRET_ACCESS_KEY`).
 * Not secret: `store_key` (a key of the store), `token_file` (a path).
 */
export function isSecretName(name: string): boolean {
  const w = words(name);
  const last = w[w.length - 1];
  if (last === undefined) return false;
  if (SECRET_WORDS.has(last)) return true;
  if (last !== 'key') return false;
  const before = w[w.length - 2];
  return before === undefined || KEY_QUALIFIERS.has(before);
}

/** Every leaf of a value masked (lists and blocks keep their shape). */
export function maskValue(value: PropertyValue): PropertyValue {
  if (Array.isArray(value)) return value.map(maskValue);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(v)]));
  return MASK;
}

/** Properties with the value of every secret-named key masked, at any depth (blocks, lists of blocks). */
export function maskProperties(props: Readonly<Record<string, PropertyValue>>): Record<string, PropertyValue> {
  const walk = (v: PropertyValue): PropertyValue => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object') return maskProperties(v);
    return v;
  };
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, isSecretName(k) ? maskValue(v) : walk(v)]));
}

/** An `env` block with the values of secret-named variables masked. */
export function maskEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, isSecretName(k) ? MASK : v]));
}

function collect(props: Readonly<Record<string, PropertyValue>>, out: Set<string>): void {
  const leaves = (v: PropertyValue): void => {
    if (Array.isArray(v)) v.forEach(leaves);
    else if (typeof v === 'object') Object.values(v).forEach(leaves);
    else if (typeof v === 'string' ? v !== '' : true) out.add(String(v));
  };
  const walk = (v: PropertyValue): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object') collect(v, out);
  };
  for (const [k, v] of Object.entries(props)) (isSecretName(k) ? leaves : walk)(v);
}

/** The secret values of one unit: secret-named properties (its own and its host children's) and `env` entries. */
export function unitSecretValues(spec: UnitSpec, out = new Set<string>()): Set<string> {
  collect(spec.properties, out);
  for (const s of spec.services) collect(s.properties, out);
  for (const [k, v] of Object.entries(spec.env)) if (isSecretName(k) && v !== '') out.add(v);
  return out;
}

const valuesOf = new WeakMap<Plan, readonly string[]>();

/** Every secret value of a plan: the network token and each unit's (see {@link unitSecretValues}). Cached per plan. */
export function planSecretValues(plan: Plan): readonly string[] {
  let values = valuesOf.get(plan);
  if (!values) {
    const out = new Set<string>();
    if (plan.network?.token) out.add(plan.network.token);
    for (const u of plan.units) unitSecretValues(u, out);
    values = [...out];
    valuesOf.set(plan, values);
  }
  return values;
}

/** Replaces the secret values it knows, wherever they appear in a text, by {@link MASK}. */
export class SecretRedactor {
  private readonly searched: readonly string[];

  constructor(values: Iterable<string>) {
    // Longest first, so a secret containing another is masked whole.
    this.searched = [...new Set(values)].filter((v) => v.length >= MIN_SEARCHED_LENGTH).sort((a, b) => b.length - a.length);
  }

  /** The values searched for, longest first. */
  get values(): readonly string[] {
    return this.searched;
  }

  /** True when there is nothing to search for. */
  get empty(): boolean {
    return this.searched.length === 0;
  }

  /** `text` with every known secret value replaced by the mask. */
  redact(text: string): string {
    let out = text;
    for (const v of this.searched) if (out.includes(v)) out = out.split(v).join(MASK);
    return out;
  }
}

const redactors = new WeakMap<Plan, SecretRedactor>();

/** The redactor of a plan's secret values (cached per plan object). */
export function planRedactor(plan: Plan): SecretRedactor {
  let r = redactors.get(plan);
  if (!r) {
    r = new SecretRedactor(planSecretValues(plan));
    redactors.set(plan, r);
  }
  return r;
}

/**
 * A copy of the plan safe to print: the network token, secret-named
 * properties (of units and host children) and secret-named `env` entries
 * masked, then every other string of the plan (arguments, env values, probes,
 * other properties) with any secret value inside it masked.
 */
export function maskPlan(plan: Plan): Plan {
  const redactor = planRedactor(plan);
  const masked: Plan = {
    ...plan,
    network: plan.network ? { ...plan.network, token: plan.network.token === null ? null : MASK } : null,
    units: plan.units.map((u) => ({
      ...u,
      env: maskEnv(u.env),
      properties: maskProperties(u.properties),
      services: u.services.map((s) => ({ ...s, properties: maskProperties(s.properties) })),
    })),
  };
  if (redactor.empty) return masked;
  return JSON.parse(JSON.stringify(masked), (_k, v: unknown) => (typeof v === 'string' ? redactor.redact(v) : v)) as Plan;
}

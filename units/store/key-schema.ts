import { PropertyError, type Properties } from '../common/properties.js';
import { isValueType, typeOf, type StoreValue, type ValueType } from './measure.js';

/** A key declared in the store's `keys { … }` property. */
export interface KeyDeclaration {
  readonly key: string;
  readonly type: ValueType;
  readonly unit: string;
  /** Value the key starts with when nothing was persisted; null for none. */
  readonly initial: StoreValue | null;
  /** False for keys only the store's gRPC clients may set (the file is read-only). */
  readonly writable: boolean;
}

/**
 * Read `keys { name { type: "number" unit: "C" default: 21 writable: false } … }`.
 * Nested blocks declare slash-separated keys (`room { temp { … } }` is
 * `room/temp`) when the block has no `type` of its own.
 */
export function keyDeclarations(props: Properties, owner: string): KeyDeclaration[] {
  const raw = props.keys;
  if (raw === undefined) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PropertyError(owner, 'keys', 'a block of key declarations', raw);
  const out: KeyDeclaration[] = [];
  const walk = (prefix: string, block: Record<string, unknown>) => {
    for (const [name, decl] of Object.entries(block)) {
      const key = prefix ? `${prefix}/${name}` : name;
      if (typeof decl !== 'object' || decl === null || Array.isArray(decl)) throw new PropertyError(owner, `keys.${key}`, 'a block such as { type: "number" }', decl);
      const d = decl as Record<string, unknown>;
      if (d.type === undefined && d.default === undefined) {
        walk(key, d);
        continue;
      }
      const initial = d.default === undefined ? null : (d.default as StoreValue);
      if (initial !== null && !['number', 'string', 'boolean'].includes(typeof initial)) throw new PropertyError(owner, `keys.${key}.default`, 'a number, string or boolean', initial);
      const type = d.type === undefined && initial !== null ? typeOf(initial) : d.type;
      if (!isValueType(type)) throw new PropertyError(owner, `keys.${key}.type`, '"number", "string" or "boolean"', d.type);
      if (initial !== null && typeOf(initial) !== type) throw new PropertyError(owner, `keys.${key}.default`, `a ${type}`, initial);
      const unit = d.unit === undefined ? '' : String(d.unit);
      out.push({ key, type, unit, initial, writable: d.writable !== false });
    }
  };
  walk('', raw as Record<string, unknown>);
  return out;
}

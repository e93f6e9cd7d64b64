import { InvalidArgumentError } from '../../src/sdk/host.js';
import { PropertyError, type Properties } from '../common/properties.js';

/** A sample's raw text could not be turned into a value. */
export class SampleParseError extends InvalidArgumentError {}

/** How a child's raw output becomes a value (docs/units.md "sensor-host"). */
export interface ParseSpec {
  /** Keep only the first line starting with this text (e.g. `MemAvailable:`). */
  readonly line: string | null;
  /** Keep only this whitespace-separated field (1-based) of the text. */
  readonly field: number | null;
  /** `text` (trimmed), `number`, or `json` (then `json` names the field). */
  readonly parse: 'text' | 'number' | 'json';
  /** Dot path into the JSON document (`data.temp`, `items.0.value`); empty for the whole document. */
  readonly json: string;
  /** Numbers are multiplied by this (e.g. 0.001 for millidegrees). */
  readonly scale: number;
}

/** Read a child's parse properties. */
export function parseSpec(props: Properties, owner: string): ParseSpec {
  const parse = props.parse ?? (props.json !== undefined ? 'json' : 'text');
  if (parse !== 'text' && parse !== 'number' && parse !== 'json') throw new PropertyError(owner, 'parse', '"text", "number" or "json"', parse);
  const field = props.field === undefined ? null : Number(props.field);
  if (field !== null && (!Number.isInteger(field) || field < 1)) throw new PropertyError(owner, 'field', 'a field number from 1', props.field);
  const scale = props.scale === undefined ? 1 : Number(props.scale);
  if (!Number.isFinite(scale)) throw new PropertyError(owner, 'scale', 'a number', props.scale);
  return { line: props.line === undefined ? null : String(props.line), field, parse, json: props.json === undefined ? '' : String(props.json), scale };
}

/** Turn raw output into the value to publish. Throws {@link SampleParseError}. */
export function parseSample(raw: string, spec: ParseSpec): string | number | boolean {
  let text = raw;
  if (spec.line !== null) {
    const found = text.split('\n').find((l) => l.startsWith(spec.line as string));
    if (found === undefined) throw new SampleParseError(`no line starting with "${spec.line}"`);
    text = found.slice((spec.line as string).length);
  }
  if (spec.field !== null) {
    const fields = text.trim().split(/\s+/);
    const f = fields[spec.field - 1];
    if (f === undefined || f === '') throw new SampleParseError(`no field ${spec.field} in "${text.trim().slice(0, 80)}"`);
    text = f;
  }
  if (spec.parse === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new SampleParseError(`output is not JSON: ${(e as Error).message}`);
    }
    for (const part of spec.json === '' ? [] : spec.json.split('.')) {
      if (typeof value !== 'object' || value === null || !(part in value)) throw new SampleParseError(`JSON has no field "${spec.json}"`);
      value = (value as Record<string, unknown>)[part];
    }
    if (typeof value === 'number') return value * spec.scale;
    if (typeof value === 'string' || typeof value === 'boolean') return value;
    return JSON.stringify(value);
  }
  const trimmed = text.trim();
  if (spec.parse === 'number') {
    const n = trimmed === '' ? NaN : Number(trimmed);
    if (!Number.isFinite(n)) throw new SampleParseError(`"${trimmed.slice(0, 80)}" is not a number`);
    return n * spec.scale;
  }
  return trimmed;
}

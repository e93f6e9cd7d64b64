/**
 * A stable text form of plain (JSON) data: object keys sorted, `undefined`
 * members dropped. Two values are equal as plan data exactly when their
 * canonical forms are equal.
 */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** True when `a` and `b` are the same plain data. */
export function sameData(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

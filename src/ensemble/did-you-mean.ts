/**
 * Edit distance (Levenshtein), small strings only. Stops early with a
 * value above `limit` (a lower bound, not the distance) once the distance
 * is known to exceed it.
 */
function distance(a: string, b: string, limit: number): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      const d = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev[j] = d;
      if (d < rowMin) rowMin = d;
      diag = tmp;
    }
    if (rowMin > limit) return rowMin;
  }
  return prev[b.length] as number;
}

/** ` (did you mean "x"?)` when a candidate is close to `word`, else an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const cl = c.toLowerCase();
    // The distance is at least the difference in length: such candidates cannot be suggested.
    if (Math.abs(cl.length - lower.length) > limit) continue;
    const d = distance(lower, cl, limit);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? ` (did you mean "${best}"?)` : '';
}

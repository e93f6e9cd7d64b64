import { dirname } from 'node:path';

/** `dir` and every directory above it, outermost first: `/a/b` gives `/`, `/a`, `/a/b`. */
export function pathChain(dir: string): string[] {
  const chain: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    chain.unshift(d);
    if (dirname(d) === d) return chain;
  }
}

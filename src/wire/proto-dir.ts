import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

/**
 * The package's `proto/` directory. Found by walking up from this module to
 * the `ensemble` package root, so it works from `src/` (tsx), from `dist/src/`
 * and from an installed package.
 */
export function protoDir(): string {
  if (cached !== null) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'proto'))) {
      try {
        const { name } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
        if (name === 'ensemble') return (cached = join(dir, 'proto'));
      } catch {
        // not our package.json; keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the ensemble proto/ directory next to package.json');
    dir = parent;
  }
}

import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (works from src/common/ via tsx and from dist/src/common/). */
export const VERSION: string = readVersion();

function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ensemble' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Chevrotain from 'chevrotain';

/**
 * Chevrotain's runtime, loaded from the single-file ES module the package
 * ships (`lib/chevrotain.mjs`, the build its documentation loads in
 * browsers). The package's main entry imports lodash-es, whose index pulls
 * in about 640 modules: half a second of CPU at every start of the CLI, for
 * the same code. Falls back to the main entry if the file is ever missing.
 * Types come from the package as usual.
 */
async function loadChevrotain(): Promise<typeof Chevrotain> {
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  const bundle = path.join(path.dirname(entry), '..', 'chevrotain.mjs');
  try {
    return (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;
  } catch {
    return import('chevrotain');
  }
}

const chevrotain = await loadChevrotain();

export const { createToken, EmbeddedActionsParser, EOF, Lexer, tokenLabel, tokenMatcher } = chevrotain;

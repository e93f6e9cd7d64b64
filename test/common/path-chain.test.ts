import { describe, expect, it } from 'vitest';
import { pathChain } from '../../src/common/path-chain.js';

describe('pathChain', () => {
  it('lists a directory and every one above it, outermost first', () => {
    expect(pathChain('/a/b/c')).toEqual(['/', '/a', '/a/b', '/a/b/c']);
  });
  it('is the root alone for the root', () => {
    expect(pathChain('/')).toEqual(['/']);
  });
});

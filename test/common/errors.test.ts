import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EnsembleError, UnitNotFoundError, isEnsembleError } from '../../src/common/errors.js';

describe('error codes', () => {
  it('every code is documented in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(doc).toContain(`\`${code}\``);
  });

  it('named errors carry their stable code and class name', () => {
    const e = new UnitNotFoundError('api');
    expect(e).toBeInstanceOf(EnsembleError);
    expect(e.code).toBe('ENS_E_UNIT_NOT_FOUND');
    expect(e.name).toBe('UnitNotFoundError');
    expect(e.message).toBe('unknown unit "api"');
    expect(isEnsembleError(e)).toBe(true);
    expect(isEnsembleError(new Error('x'))).toBe(false);
  });
});

/**
 * The metadata headers of Ensemble's own calls, shared by the servers that
 * read them (src/api) and the clients that send them (the SDK, units). Never
 * logged. (`x-ensemble-error-code`, the code a server answers with, is
 * ERROR_CODE_HEADER in grpc-status.ts.)
 */

/** Carries a unit's `ENSEMBLE_TOKEN` on its calls to the supervisor (Register, Unregister, Ready). */
export const TOKEN_HEADER = 'x-ensemble-token';

/** Carries a unit's identity assertion on its calls to another unit's service (what the SDK's `identityFor()` attaches). */
export const IDENTITY_HEADER = 'x-ensemble-identity';

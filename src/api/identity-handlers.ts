import type * as grpc from '@grpc/grpc-js';
import type { SupervisorControl } from '../supervisor/lifecycle/control.js';
import { unary } from '../wire/grpc-handlers.js';
import type { IdentityAuthority } from './identity-assertion.js';
import { authenticateUnit, tokenOf } from './token.js';

/**
 * `IssueIdentity` and `VerifyIdentity` of `ensemble.supervisor.v1.Supervisor`
 * (docs/api.md "Unit identity"). Issue is a unit call (its token); Verify
 * needs no credentials beyond the socket.
 */
export function identityHandlers(authority: IdentityAuthority, control: Pick<SupervisorControl, 'unitForToken'>): grpc.UntypedServiceImplementation {
  return {
    IssueIdentity: unary((req: { audience: string; ttlMs: number }, call) => {
      const unit = authenticateUnit(call.metadata, '', (t) => control.unitForToken(t), 'IssueIdentity');
      return authority.issue(unit, tokenOf(call.metadata) as string, req.audience, req.ttlMs);
    }),
    VerifyIdentity: unary((req: { assertion: string; audience: string }) => {
      const claims = authority.verify(req.assertion, req.audience);
      return { unit: claims.unit, instance: claims.instance, expiresAtMs: claims.expiresAtMs };
    }),
  };
}

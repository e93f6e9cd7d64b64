import { EnsembleError } from '../common/errors.js';

/** Discovery has no service with this name, alias or family (gRPC NOT_FOUND). */
export class ServiceNotFoundError extends EnsembleError {
  readonly service: string;
  constructor(service: string) {
    super('ENS_E_SERVICE_NOT_FOUND', `no service "${service}" is registered (looked for a name, an alias and a family)`);
    this.service = service;
  }
}

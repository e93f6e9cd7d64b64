import { EnsembleError, InvalidArgumentError } from '../../src/sdk/host.js';

/** A value, key or type the store refuses (gRPC INVALID_ARGUMENT, file view EINVAL). */
export class StoreValueError extends InvalidArgumentError {}

/** No such key in the store (gRPC NOT_FOUND, file view ENOENT). */
export class UnknownKeyError extends EnsembleError {
  constructor(key: string) {
    super('ENS_E_PATH_NOT_FOUND', `no key "${key}" in the store`);
  }
}

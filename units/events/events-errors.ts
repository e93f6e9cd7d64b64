import { InvalidArgumentError } from '../../src/sdk/host.js';

/** A topic or filter the events unit refuses (gRPC INVALID_ARGUMENT). */
export class TopicError extends InvalidArgumentError {}

/** A payload above the unit's `max_payload` (gRPC INVALID_ARGUMENT). */
export class PayloadTooLargeError extends InvalidArgumentError {
  constructor(limit: number) {
    super(`payload larger than ${limit} bytes (the events unit's max_payload)`);
  }
}

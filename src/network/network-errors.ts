import { EnsembleError } from '../common/errors.js';

/** A node name that is not a member of the network (`NODE/UNIT`, `peers/<node>`). */
export class NodeNotFoundError extends EnsembleError {
  readonly node: string;
  constructor(node: string, known: readonly string[]) {
    super('ENS_E_NODE_NOT_FOUND', `unknown node "${node}"${known.length ? ` (known: ${known.join(', ')})` : ' (this supervisor knows no other node)'}`);
    this.node = node;
  }
}

import * as grpc from '@grpc/grpc-js';
import { loadProtos } from '../../src/api/protos.js';
import { TOKEN_HEADER } from '../../src/api/token.js';
import { EnsembleError } from '../../src/errors.js';

/** A publisher without a valid token (gRPC UNAUTHENTICATED). */
export class PublisherTokenError extends EnsembleError {
  constructor(message: string) {
    super('ENS_E_PERMISSION', message);
  }
}

/** How long a token → unit answer is reused. */
const CACHE_MS = 60_000;
/** Service name that can never be registered (`/` is not allowed in names): Unregister of it changes nothing. */
const NO_SUCH_SERVICE = '/';

type Unary = (req: object, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res: unknown) => void) => void;

/**
 * Finds which unit a token belongs to, asking the supervisor: the supervisor
 * accepts `Unregister{unit: U, names: ["/"]}` (which removes nothing) with
 * a token only when the token is U's. Answers are cached per token for a
 * minute (tokens change on every start of a unit).
 */
export class PublisherIdentity {
  private readonly supervisor: grpc.Client;
  private readonly discovery: grpc.Client;
  private readonly cache = new Map<string, { unit: string; at: number }>();

  constructor(address: string) {
    const protos = loadProtos();
    this.supervisor = new protos.Supervisor(address, grpc.credentials.createInsecure());
    this.discovery = new protos.Discovery(address, grpc.credentials.createInsecure(), { channelOverride: this.supervisor.getChannel() });
  }

  /** The unit of the token in `metadata`. Throws {@link PublisherTokenError}. */
  async unitOf(metadata: grpc.Metadata): Promise<string> {
    const token = metadata.get(TOKEN_HEADER)[0];
    if (typeof token !== 'string' || token === '') throw new PublisherTokenError(`Publish needs the publisher's ENSEMBLE_TOKEN in the "${TOKEN_HEADER}" header`);
    const hit = this.cache.get(token);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.unit;
    const units = await this.call<{ units: { name: string }[] }>(this.supervisor, 'ListUnits', {}, new grpc.Metadata());
    const md = new grpc.Metadata();
    md.set(TOKEN_HEADER, token);
    for (const { name } of units.units) {
      try {
        await this.call(this.discovery, 'Unregister', { unit: name, names: [NO_SUCH_SERVICE] }, md);
        this.cache.set(token, { unit: name, at: Date.now() });
        return name;
      } catch (e) {
        if ((e as grpc.ServiceError).code !== grpc.status.PERMISSION_DENIED) throw e;
      }
    }
    throw new PublisherTokenError('the token does not belong to any unit of this supervisor');
  }

  close(): void {
    this.supervisor.close();
  }

  private call<Res>(client: grpc.Client, method: string, req: object, md: grpc.Metadata): Promise<Res> {
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[method] as Unary;
      fn.call(client, req, md, { deadline: Date.now() + 10_000 }, (e, res) => (e ? reject(e) : resolve(res as Res)));
    });
  }
}

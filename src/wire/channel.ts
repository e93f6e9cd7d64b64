import * as grpc from '@grpc/grpc-js';
import type { ClientCtor } from './proto-package.js';

/**
 * Clients of several services of one server sharing one channel (one
 * connection, one reconnection backoff): the first client owns the channel,
 * the others ride on it. Closing the first closes the channel.
 */
export function clientsOnOneChannel<const N extends readonly ClientCtor[]>(
  address: string,
  ctors: N,
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
  channelOptions: grpc.ChannelOptions = {},
): { [K in keyof N]: grpc.Client } {
  const [first, ...rest] = ctors;
  if (!first) throw new Error('clientsOnOneChannel needs at least one service');
  const owner = new first(address, credentials, channelOptions);
  const channelOverride = owner.getChannel();
  return [owner, ...rest.map((Ctor) => new Ctor(address, credentials, { channelOverride }))] as { [K in keyof N]: grpc.Client };
}

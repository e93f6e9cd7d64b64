import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtos } from '../../src/wire/protos.js';
import { collectStream, rawCall } from '../helpers/grpc-call.js';
import { waitFor } from '../helpers/wait-for.js';
import { sdkRunner, startSystem, type RunningSystem } from '../helpers/system-harness.js';

let sys: RunningSystem;
let resources: grpc.Client;

beforeAll(async () => {
  sys = await startSystem(sdkRunner('echo', 'sdk-echo.mjs', 'properties { transport: "unix" greeting: "hi" }'));
  const found = await sys.client.find('echo.resources');
  resources = new (loadProtos().Resources)(found.address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  resources?.close();
  await sys?.close();
});

describe('resources served by an SDK unit', () => {
  it('registers its server on a Unix socket in its state directory', async () => {
    const found = await sys.client.find('echo');
    expect(found.address).toBe(`unix:${sys.home.paths.unitStateDir('echo')}/grpc.sock`);
  });

  it('lists, reads and writes resources, refusing what the unit does not allow', async () => {
    const list = (await rawCall<{ resources: { path: string; readable: boolean; writable: boolean; watchable: boolean }[] }>(resources, 'List', {})).res!;
    expect(list.resources.map((r) => [r.path, r.readable, r.writable, r.watchable])).toEqual([
      ['greeting', true, true, true],
      ['pid', true, false, false],
    ]);
    expect((await rawCall(resources, 'Read', { path: 'greeting' })).res).toEqual({ value: 'hi' });
    expect((await rawCall(resources, 'Read', { path: 'pid' })).res).toEqual({ value: String(sys.supervisor.getUnit('echo').pid) });
    expect((await rawCall(resources, 'Write', { path: 'greeting', value: 'hey\n' })).err).toBeUndefined();
    expect((await rawCall(resources, 'Read', { path: 'greeting' })).res).toEqual({ value: 'hey' });
    const refused = await rawCall(resources, 'Write', { path: 'greeting', value: '  ' });
    expect(refused.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(refused.err?.details).toContain('greeting must not be empty');
    expect((await rawCall(resources, 'Write', { path: 'pid', value: '1' })).err?.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await rawCall(resources, 'Read', { path: 'nope' })).err?.code).toBe(grpc.status.NOT_FOUND);
  });

  it('streams the current value, then every change', async () => {
    const call = (resources as unknown as { Watch(r: object): grpc.ClientReadableStream<{ value: string }> }).Watch({ path: 'greeting' });
    const seen: string[] = [];
    call.on('data', (m: { value: string }) => seen.push(m.value));
    call.on('error', () => undefined);
    try {
      await waitFor('the current value', () => seen.length >= 1);
      await rawCall(resources, 'Write', { path: 'greeting', value: 'changed' });
      await waitFor('the new value', () => seen.length >= 2);
      expect(seen[1]).toBe('changed');
    } finally {
      call.cancel();
    }
    const notWatchable = (resources as unknown as { Watch(r: object): grpc.ClientReadableStream<unknown> }).Watch({ path: 'pid' });
    await expect(collectStream(notWatchable, () => false)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
  });
});

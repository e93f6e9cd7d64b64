import { describe, expect, it } from 'vitest';
import { FileViewError } from '../../src/fs/errno.js';
import { FileTree } from '../../src/fs/file-tree.js';
import { MemoryBackend } from './memory-backend.js';

function system(): { backend: MemoryBackend; tree: FileTree } {
  const backend = new MemoryBackend();
  backend.addUnit('sensor', {
    temperature: { value: '21.5' },
    'config/threshold': { value: '30', writable: true, validate: (v) => (/^\d+$/.test(v) ? null : `threshold must be a number, got "${v}"`) },
  });
  backend.addUnit('api');
  backend.services.push({ name: 'store', address: '127.0.0.1:4000', unit: 'api' });
  return { backend, tree: new FileTree(backend, { timeoutMs: 500, pollMs: 20 }) };
}

async function errnoOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (e) {
    if (e instanceof FileViewError) return e.errno;
    throw e;
  }
  return 'no error';
}

describe('file tree', () => {
  it('has the top-level layout of the file view', async () => {
    const { tree } = system();
    expect(await tree.list('')).toEqual(['peers', 'services', 'status', 'supervisor', 'units']);
    expect(await tree.list('/units')).toEqual(['api', 'sensor']);
    expect(await tree.list('status/api')).toEqual(['control', 'cpu', 'error', 'exit_code', 'memory', 'pid', 'restarts', 'since', 'state']);
    expect(await tree.list('supervisor')).toEqual(['control', 'pid', 'state', 'version']);
    expect(await tree.list('peers')).toEqual([]);
  });

  it('shows resources as files nested by path, each ending with a newline', async () => {
    const { tree } = system();
    expect(await tree.list('units/sensor')).toEqual(['config', 'temperature']);
    expect(await tree.list('units/sensor/config')).toEqual(['threshold']);
    expect(await tree.read('units/sensor/temperature')).toBe('21.5\n');
    expect(await tree.list('units/api')).toEqual([]);
    expect(await tree.stat('units/sensor/temperature')).toEqual({ type: 'file', access: 'read-only' });
    expect(await tree.stat('units/sensor/config/threshold')).toEqual({ type: 'file', access: 'read-write' });
    expect(await tree.stat('units/sensor/temperature.watch')).toEqual({ type: 'watch', access: 'read-only' });
  });

  it('renders unit status, services and the supervisor as one-line files', async () => {
    const { tree } = system();
    expect(await tree.read('status/sensor/state')).toBe('ready\n');
    expect(await tree.read('status/sensor/pid')).toBe('1000\n');
    expect(await tree.read('status/sensor/exit_code')).toBe('\n');
    expect(await tree.read('status/sensor/cpu')).toBe('1.3\n');
    expect(await tree.read('status/sensor/memory')).toBe('2048\n');
    expect(await tree.read('status/sensor/since')).toBe('2024-01-02T03:04:05.000Z\n');
    expect(await tree.read('services/store')).toBe('127.0.0.1:4000\n');
    expect(await tree.read('supervisor/version')).toBe('9.9.9\n');
    expect(await tree.read('status/sensor/control')).toBe('start|stop|restart\n');
  });

  it('writes line by line and returns the unit verdict as errno', async () => {
    const { tree, backend } = system();
    await tree.write('units/sensor/config/threshold', '42\n');
    expect(backend.resourcesOf.get('sensor')?.get('config/threshold')?.value).toBe('42');
    expect(await errnoOf(tree.write('units/sensor/config/threshold', 'hot\n'))).toBe('EINVAL');
    expect(await errnoOf(tree.write('units/sensor/temperature', '1\n'))).toBe('EACCES');
    await tree.write('status/api/control', 'stop\nstart\n');
    expect(backend.actions).toEqual(['stop api', 'start api']);
    expect(await errnoOf(tree.write('status/api/control', 'explode\n'))).toBe('EINVAL');
    expect(await errnoOf(tree.write('supervisor/control', 'restart\n'))).toBe('EINVAL');
    await tree.write('supervisor/control', 'reload');
    expect(backend.actions).toContain('reload');
  });

  it('answers ENOENT, ENOTDIR, EISDIR and EINVAL for bad paths, never escaping the tree', async () => {
    const { tree } = system();
    const unknown = await tree.read('status/nope/state').catch((e: FileViewError) => e);
    expect(unknown).toMatchObject({ errno: 'ENOENT', code: 'ENS_E_UNIT_NOT_FOUND' });
    expect(await errnoOf(tree.read('units/sensor/pressure'))).toBe('ENOENT');
    expect(await errnoOf(tree.read('units/sensor/temperature/x'))).toBe('ENOTDIR');
    expect(await errnoOf(tree.read('units/sensor'))).toBe('EISDIR');
    expect(await errnoOf(tree.write('units', '1'))).toBe('EISDIR');
    expect(await errnoOf(tree.read('units/../../etc/passwd'))).toBe('EINVAL');
    expect(await errnoOf(tree.read('units/a b'))).toBe('ENOENT');
    expect(await errnoOf(tree.read('status/api/control.watch'))).toBe('EINVAL');
  });

  it('gives EIO when a unit does not answer in time', async () => {
    const { tree, backend } = system();
    backend.hanging.add('sensor');
    const e = await tree.read('units/sensor/temperature').catch((err: FileViewError) => err);
    expect(e).toMatchObject({ errno: 'EIO' });
    expect(String(e)).toContain('units/sensor/temperature');
  });

  it('watches pushed values and polled files', async () => {
    const { tree, backend } = system();
    const seen: string[] = [];
    const node = await tree.resolve('units/sensor/temperature');
    if (node.kind !== 'file') throw new Error('not a file');
    const stop = tree.watchNode(node, ['units', 'sensor', 'temperature'], (c) => seen.push(c), () => undefined);
    await expect.poll(() => seen).toEqual(['21.5\n']);
    backend.setValue('sensor', 'temperature', '22');
    expect(seen).toEqual(['21.5\n', '22\n']);
    stop();

    const states: string[] = [];
    const stateNode = await tree.resolve('status/api/state');
    if (stateNode.kind !== 'file') throw new Error('not a file');
    const stopState = tree.watchNode(stateNode, ['status', 'api', 'state'], (c) => states.push(c), () => undefined);
    await expect.poll(() => states).toEqual(['ready\n']);
    backend.setState('api', 'stopping');
    backend.setState('api', 'stopping');
    backend.setState('api', 'stopped');
    expect(states).toEqual(['ready\n', 'stopping\n', 'stopped\n']);
    stopState();

    const versions: string[] = [];
    const vNode = await tree.resolve('services/store');
    if (vNode.kind !== 'file') throw new Error('not a file');
    const stopPoll = tree.watchNode(vNode, ['services', 'store'], (c) => versions.push(c), () => undefined);
    await expect.poll(() => versions).toEqual(['127.0.0.1:4000\n']);
    backend.services[0] = { name: 'store', address: '127.0.0.1:5000', unit: 'api' };
    await expect.poll(() => versions, { timeout: 5000 }).toEqual(['127.0.0.1:4000\n', '127.0.0.1:5000\n']);
    stopPoll();
  });
});

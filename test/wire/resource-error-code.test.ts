import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteTreeBackend } from '../../src/fs/remote-backend.js';
import { FileViewError } from '../../src/fs/errno.js';
import { fixture } from '../helpers/make-unit-spec.js';
import { startFsSystem, type FsSystem } from '../helpers/fs-harness.js';

// A unit's own error code (x-ensemble-error-code) reaches the file view: the
// Resources client keeps it and lets it choose the errno (it used to map the
// bare gRPC status, so ENS_E_STATE came out as EINVAL/ENS_E_INVALID_ARGUMENT).
describe("a unit's error code through the file view", () => {
  let sys: FsSystem;
  let backend: RemoteTreeBackend;

  beforeAll(async () => {
    sys = await startFsSystem({
      flags: ['--no-fs'],
      ensemble: `runner coded "${fixture('fs-coded-errors.mjs')}" { readiness: notify  stop { timeout: "5s" } }\n`,
    });
    backend = new RemoteTreeBackend(sys.home.paths.apiAddress);
  }, 120_000);

  afterAll(async () => {
    backend?.close();
    await sys?.close();
  }, 120_000);

  async function readError(path: string): Promise<FileViewError> {
    const client = await backend.resources('coded');
    if (!client) throw new Error('the unit has no Resources service');
    const e = await client.read(path).then(
      () => null,
      (err: unknown) => err,
    );
    if (!(e instanceof FileViewError)) throw new Error(`expected a FileViewError, got ${String(e)}`);
    return e;
  }

  it('keeps the code the unit sent and maps it to its errno', async () => {
    expect(await readError('calibration')).toMatchObject({ code: 'ENS_E_STATE', errno: 'EBUSY', message: 'units/coded/calibration: the pump is not calibrated' });
    expect(await readError('door')).toMatchObject({ code: 'ENS_E_PERMISSION', errno: 'EACCES', message: 'units/coded/door: the door stays shut' });
  });

  it('calls an answer without a code the tables know an unreachable unit (EIO)', async () => {
    const e = await readError('quota');
    expect(e).toMatchObject({ code: 'ENS_E_UNIT_UNREACHABLE', errno: 'EIO' });
    expect(e.message).toBe('units/coded/quota: unit unreachable (INTERNAL: internal error: quota table corrupt)');
  });

  it('prints the errno of the unit code on the CLI', async () => {
    expect(await sys.cli('fs', 'cat', 'units/coded/calibration')).toMatchObject({ exitCode: 1, stderr: 'supervisor: units/coded/calibration: the pump is not calibrated (EBUSY)' });
    expect(await sys.cli('fs', 'cat', 'units/coded/door')).toMatchObject({ exitCode: 1, stderr: 'supervisor: units/coded/door: the door stays shut (EACCES)' });
  });
});

import { EnsembleError, type ErrorCode, isEnsembleError } from '../common/errors.js';
import { codeForErrno, errnoForCode, type FsErrno } from '../wire/errno-table.js';

export type { FsErrno } from '../wire/errno-table.js';

/**
 * An error of the file view: a stable Ensemble code plus the errno a FUSE
 * caller sees. The message names the path, e.g.
 * `units/pump/speed: read-only file`.
 */
export class FileViewError extends EnsembleError {
  readonly errno: FsErrno;
  constructor(errno: FsErrno, message: string, options?: { code?: ErrorCode; cause?: unknown }) {
    super(options?.code ?? codeForErrno(errno), message, { cause: options?.cause });
    this.errno = errno;
  }
}

/**
 * Turn anything thrown while serving `path` into a {@link FileViewError}.
 * Ensemble errors keep their code; anything else is an I/O error (EIO).
 */
export function toFileViewError(path: string, e: unknown): FileViewError {
  if (e instanceof FileViewError) return e;
  if (isEnsembleError(e)) {
    return new FileViewError(errnoForCode(e.code), `${path}: ${e.message}`, { code: e.code, cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new FileViewError('EIO', `${path}: ${message}`, { cause: e });
}

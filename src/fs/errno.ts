import { EnsembleError, type ErrorCode, isEnsembleError } from '../errors.js';

/**
 * The errno names the file view answers with (DESIGN.md section 6). FUSE
 * callbacks return `-errno`; the CLI fallback prints the message and exits 1.
 */
export type FsErrno =
  | 'ENOENT'
  | 'EACCES'
  | 'EPERM'
  | 'EINVAL'
  | 'EIO'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'EBUSY'
  | 'ENOTSUP'
  | 'EEXIST'
  | 'ENOSPC'
  | 'EFBIG'
  | 'ENODATA';

/** Linux errno numbers of {@link FsErrno} (the file view only mounts on Linux). */
export const ERRNO_NUMBERS: Readonly<Record<FsErrno, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EACCES: 13,
  EBUSY: 16,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  EEXIST: 17,
  EFBIG: 27,
  ENOSPC: 28,
  ENODATA: 61,
  ENOTSUP: 95,
};

const DEFAULT_CODES: Readonly<Record<FsErrno, ErrorCode>> = {
  ENOENT: 'ENS_E_PATH_NOT_FOUND',
  EACCES: 'ENS_E_PERMISSION',
  EINVAL: 'ENS_E_INVALID_ARGUMENT',
  EIO: 'ENS_E_UNIT_UNREACHABLE',
  ENOTDIR: 'ENS_E_INVALID_ARGUMENT',
  EISDIR: 'ENS_E_INVALID_ARGUMENT',
  EBUSY: 'ENS_E_STATE',
  ENOTSUP: 'ENS_E_UNSUPPORTED',
  EPERM: 'ENS_E_PERMISSION',
  EEXIST: 'ENS_E_ALREADY_EXISTS',
  ENOSPC: 'ENS_E_RESOURCE_EXHAUSTED',
  EFBIG: 'ENS_E_RESOURCE_EXHAUSTED',
  ENODATA: 'ENS_E_PATH_NOT_FOUND',
};

/**
 * An error of the file view: a stable Ensemble code plus the errno a FUSE
 * caller sees. The message names the path, e.g.
 * `units/pump/speed: read-only file`.
 */
export class FileViewError extends EnsembleError {
  readonly errno: FsErrno;
  constructor(errno: FsErrno, message: string, options?: { code?: ErrorCode; cause?: unknown }) {
    super(options?.code ?? DEFAULT_CODES[errno], message, { cause: options?.cause });
    this.errno = errno;
  }
}

/** The errno for an Ensemble error code met while serving a path. */
export function errnoForCode(code: ErrorCode): FsErrno {
  switch (code) {
    case 'ENS_E_UNIT_NOT_FOUND':
    case 'ENS_E_PATH_NOT_FOUND':
    case 'ENS_E_NODE_NOT_FOUND':
      return 'ENOENT';
    case 'ENS_E_PERMISSION':
      return 'EACCES';
    case 'ENS_E_INVALID_ARGUMENT':
    case 'ENS_E_VALIDATION':
    case 'ENS_E_PLAN':
    case 'ENS_E_PARSE':
    case 'ENS_E_TEMPLATE':
    case 'ENS_E_CONDITION':
    case 'ENS_E_IMPORT':
      return 'EINVAL';
    case 'ENS_E_STATE':
    case 'ENS_E_ALREADY_EXISTS':
      return 'EBUSY';
    case 'ENS_E_UNSUPPORTED':
      return 'ENOTSUP';
    default:
      return 'EIO';
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

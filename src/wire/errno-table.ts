import type { ErrorCode } from '../common/errors.js';

/**
 * The errno names the file view answers with (docs/file-view.md "Errors"). FUSE
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

/** errno → Ensemble code: the code of an error the file view raises with that errno. */
const CODE_FOR_ERRNO: Readonly<Record<FsErrno, ErrorCode>> = {
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

/** Ensemble code → errno: what a file view caller sees for an error with that code (EIO for the rest). */
const ERRNO_FOR_CODE: Partial<Readonly<Record<ErrorCode, FsErrno>>> = {
  ENS_E_UNIT_NOT_FOUND: 'ENOENT',
  ENS_E_PATH_NOT_FOUND: 'ENOENT',
  ENS_E_NODE_NOT_FOUND: 'ENOENT',
  ENS_E_PERMISSION: 'EACCES',
  ENS_E_INVALID_ARGUMENT: 'EINVAL',
  ENS_E_VALIDATION: 'EINVAL',
  ENS_E_PLAN: 'EINVAL',
  ENS_E_PARSE: 'EINVAL',
  ENS_E_TEMPLATE: 'EINVAL',
  ENS_E_CONDITION: 'EINVAL',
  ENS_E_IMPORT: 'EINVAL',
  ENS_E_STATE: 'EBUSY',
  ENS_E_ALREADY_EXISTS: 'EBUSY',
  ENS_E_UNSUPPORTED: 'ENOTSUP',
  ENS_E_RESOURCE_EXHAUSTED: 'ENOSPC',
};

/** The Ensemble code of an error the file view raises with `errno`. */
export function codeForErrno(errno: FsErrno): ErrorCode {
  return CODE_FOR_ERRNO[errno];
}

/** The errno for an Ensemble error code met while serving a path (EIO when the table has none). */
export function errnoForCode(code: ErrorCode): FsErrno {
  return ERRNO_FOR_CODE[code] ?? 'EIO';
}

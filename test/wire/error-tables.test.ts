import { constants } from 'node:os';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { EnsembleError, ERROR_CODES, type ErrorCode } from '../../src/common/errors.js';
import { resourceError } from '../../src/fs/resources-client.js';
import { codeForErrno, ERRNO_NUMBERS, errnoForCode, type FsErrno } from '../../src/wire/errno-table.js';
import { codeForStatus, ERROR_CODE_HEADER, fromServiceError, RemoteError, statusForCode, toServiceError } from '../../src/wire/grpc-status.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const ERRNOS = Object.keys(ERRNO_NUMBERS) as FsErrno[];

/** What a grpc-js client receives for the error a server answered with. */
function received(sent: ReturnType<typeof toServiceError>): ServiceError {
  return Object.assign(new Error(sent.details), { code: sent.code, details: sent.details, metadata: sent.metadata ?? new Metadata() }) as ServiceError;
}

function bare(code: Status, details = 'went wrong'): ServiceError {
  return received({ code, details });
}

describe('ErrorCode <-> gRPC status', () => {
  it.each(CODES)('%s survives a call with its header (code and message)', (code) => {
    const sent = toServiceError(new EnsembleError(code, `failed with ${code}`));
    expect(sent.code).toBe(statusForCode(code));
    expect(sent.metadata?.get(ERROR_CODE_HEADER)).toEqual([code]);
    const back = fromServiceError(received(sent));
    expect(back).toBeInstanceOf(RemoteError);
    expect(back).toMatchObject({ code, message: `failed with ${code}`, grpcCode: statusForCode(code) });
  });

  it.each(CODES)('%s without its header comes back as a code of the same status', (code) => {
    const status = statusForCode(code);
    const byStatus = codeForStatus(status);
    expect(byStatus).toBeDefined();
    expect(statusForCode(byStatus!)).toBe(status);
    expect(fromServiceError(bare(status))).toMatchObject({ code: byStatus, grpcCode: status });
  });

  it('folds the aliases UNAUTHENTICATED and OUT_OF_RANGE into PERMISSION_DENIED and INVALID_ARGUMENT', () => {
    expect(statusForCode(codeForStatus(Status.UNAUTHENTICATED)!)).toBe(Status.PERMISSION_DENIED);
    expect(statusForCode(codeForStatus(Status.OUT_OF_RANGE)!)).toBe(Status.INVALID_ARGUMENT);
  });

  it('keeps the status name of statuses without a code (not the caller mistake)', () => {
    for (const status of [Status.INTERNAL, Status.UNKNOWN, Status.CANCELLED, Status.ABORTED, Status.DATA_LOSS]) {
      expect(codeForStatus(status)).toBeUndefined();
      const e = fromServiceError(bare(status, 'boom'));
      expect(e).toMatchObject({ code: 'ENS_E_STATE', grpcCode: status, message: `${Status[status]}: boom` });
    }
  });

  it('answers INTERNAL for anything else a handler throws', () => {
    expect(toServiceError(new Error('oops'))).toMatchObject({ code: Status.INTERNAL, details: 'internal error: oops' });
  });
});

describe('ErrorCode <-> errno', () => {
  it('uses the Linux errno numbers', () => {
    for (const errno of ERRNOS) expect(ERRNO_NUMBERS[errno]).toBe(constants.errno[errno]);
  });

  it.each(CODES)('%s -> errno -> code -> the same errno', (code) => {
    const errno = errnoForCode(code);
    expect(errnoForCode(codeForErrno(errno))).toBe(errno);
  });

  // The narrower errnos the file view raises itself share a code with a broader one.
  const NARROWER: Partial<Record<FsErrno, FsErrno>> = { EPERM: 'EACCES', ENOTDIR: 'EINVAL', EISDIR: 'EINVAL', EEXIST: 'EBUSY', EFBIG: 'ENOSPC', ENODATA: 'ENOENT' };
  it.each(ERRNOS)('%s -> code -> errno is itself (or the broader errno it narrows)', (errno) => {
    expect(errnoForCode(codeForErrno(errno))).toBe(NARROWER[errno] ?? errno);
  });
});

describe('gRPC status -> errno (a unit Resources service)', () => {
  const EXPECTED: [Status, FsErrno][] = [
    [Status.NOT_FOUND, 'ENOENT'],
    [Status.PERMISSION_DENIED, 'EACCES'],
    [Status.UNAUTHENTICATED, 'EACCES'],
    [Status.INVALID_ARGUMENT, 'EINVAL'],
    [Status.OUT_OF_RANGE, 'EINVAL'],
    [Status.FAILED_PRECONDITION, 'EBUSY'],
    [Status.ALREADY_EXISTS, 'EBUSY'],
    [Status.UNIMPLEMENTED, 'ENOTSUP'],
    [Status.RESOURCE_EXHAUSTED, 'ENOSPC'],
    [Status.UNAVAILABLE, 'EIO'],
    [Status.DEADLINE_EXCEEDED, 'EIO'],
    [Status.INTERNAL, 'EIO'],
    [Status.UNKNOWN, 'EIO'],
  ];
  it.each(EXPECTED)('status %i without a code is %s', (status, errno) => {
    const e = resourceError('units/u/x', bare(status, 'no'));
    expect(e.errno).toBe(errno);
    expect(e.code).toBe(codeForErrno(errno));
    expect(e.message).toBe(errno === 'EIO' ? `units/u/x: unit unreachable (${Status[status]}: no)` : 'units/u/x: no');
  });

  it.each(CODES)("the unit's own %s wins over the status", (code) => {
    const sent = toServiceError(new EnsembleError(code, 'said the unit'));
    const e = resourceError('units/u/x', received(sent));
    expect(e).toMatchObject({ code, errno: errnoForCode(code), message: 'units/u/x: said the unit' });
  });
});

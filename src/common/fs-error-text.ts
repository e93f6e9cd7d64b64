/** Readable text of the errno codes a supervisor meets on its own directories and files. */
const TEXT: Record<string, string> = {
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  EISDIR: 'is a directory',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
};

/**
 * `read-only file system (EROFS)` for an errno error, the message otherwise:
 * the cause of a failed file operation in one line, without Node's
 * `EROFS: read-only file system, mkdir '/x'` noise (the caller names the path).
 */
export function fsErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && TEXT[code]) return `${TEXT[code]} (${code})`;
  if (typeof code === 'string') return `${(error as Error).message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** The errno code of `error`, if any. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The same error with a one-line message (`no space left on device (ENOSPC)`)
 * and its errno `code` kept, for callers that prefix the file they were writing.
 */
export function conciseFsError(error: unknown): Error {
  const concise = new Error(fsErrorText(error), { cause: error });
  const code = errnoCode(error);
  return code ? Object.assign(concise, { code }) : concise;
}

/** Why a file operation failed, in words (read-only file system, permission denied, …), or null for other errors. */
export function fsFailureReason(err: unknown): string | null {
  switch ((err as NodeJS.ErrnoException | undefined)?.code) {
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a folder on its path is a file';
    case 'EISDIR':
      return 'it is a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exceeded';
    default:
      return null;
  }
}

/** A file-system error restated as `cannot <verb> <path>: <reason> (<code>)`, keeping the original as cause. */
export function explainFsError(err: unknown, verb: string, path: string): unknown {
  const reason = fsFailureReason(err);
  if (!reason) return err;
  return new Error(`cannot ${verb} ${path}: ${reason} (${(err as NodeJS.ErrnoException).code})`, { cause: err });
}

// A store file that cannot be read is an error naming the file, never "empty" or "damaged": the
// same local-file codes as the rest of the app (electron/auth/diagnose.ts localFileCode) for
// permissions and wrong kinds, STORE_UNREADABLE for any other system error (EIO, ELOOP, ...).
import type { DiagnosisCode } from '../../shared/diagnostics.ts';

export function readErrorCode(errno: string): DiagnosisCode {
  if (errno === 'EACCES' || errno === 'EPERM' || errno === 'EROFS') return 'LOCAL_FILE_DENIED';
  if (errno === 'EISDIR' || errno === 'ENOTDIR') return 'LOCAL_FILE_WRONG_TYPE';
  return 'STORE_UNREADABLE';
}

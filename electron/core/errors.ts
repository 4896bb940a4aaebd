// toAppError for the main process: whatever was thrown becomes an AppError with a stable code and
// a secret-free message (DESIGN.md "Errors").
import { AppFailure, appError, isAppError, type AppError } from '../../shared/result.ts';
import { redactText } from '../../shared/redact.ts';
import { describe } from '../../shared/diagnostics.ts';
import { localFileCode } from '../auth/diagnose.ts';

export function toAppError(error: unknown): AppError {
  if (error instanceof AppFailure) return error.appError;
  // A node:fs error has `code` and `message` too: it is not an AppError. A file of the app's own
  // (data dir, settings, secrets) failed: say so, with the path.
  const sys = error as NodeJS.ErrnoException | undefined;
  if (error instanceof Error && typeof sys?.syscall === 'string') {
    const local = typeof sys.code === 'string' ? localFileCode([sys.code]) : undefined;
    if (local) return appError(local, describe(local).title, redactText(`${error.message}${sys.path && !error.message.includes(sys.path) ? ` (${sys.path})` : ''}`).slice(0, 500));
  }
  if (isAppError(error)) return error;
  if (error instanceof Error) {
    if (error.name === 'AbortError') return appError('CANCELLED', 'Cancelled.');
    if (error.name === 'TimeoutError') return appError('TIMEOUT', 'It took too long.');
    return appError('INTERNAL', 'Something unexpected went wrong.', undefined, redactText(`${error.name}: ${error.message}`).slice(0, 500));
  }
  return appError('INTERNAL', 'Something unexpected went wrong.');
}

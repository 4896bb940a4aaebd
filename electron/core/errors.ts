// toAppError for the main process: whatever was thrown becomes an AppError with a stable code and
// a secret-free message (DESIGN.md "Errors").
import { AppFailure, appError, isAppError, type AppError } from '../../shared/result.ts';
import { redactText } from '../../shared/redact.ts';

export function toAppError(error: unknown): AppError {
  if (error instanceof AppFailure) return error.appError;
  if (isAppError(error)) return error;
  if (error instanceof Error) {
    if (error.name === 'AbortError') return appError('CANCELLED', 'Cancelled.');
    if (error.name === 'TimeoutError') return appError('TIMEOUT', 'It took too long.');
    return appError('INTERNAL', 'Something unexpected went wrong.', undefined, redactText(`${error.name}: ${error.message}`).slice(0, 500));
  }
  return appError('INTERNAL', 'Something unexpected went wrong.');
}

// toAppError for the renderer: anything thrown in the UI layer becomes a plain AppError.
import { appError, isAppError, type AppError } from '../../shared/result.ts';

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof TypeError) return appError('IPC_UNREACHABLE', 'The app’s background process did not answer.', error.message);
  if (error instanceof Error) return appError('INTERNAL', 'Something unexpected went wrong.', error.message);
  return appError('INTERNAL', 'Something unexpected went wrong.');
}

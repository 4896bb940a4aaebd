// The error value of every boundary and the Error that carries it, without zod: the key store and
// `token`'s fast path use these on every call, and loading zod costs more than the whole call
// may take (issue 10: fast start). shared/result.ts re-exports them with the zod schemas.

export type AppError = {
  code: string;
  message: string;
  detail?: string;
  /** A short, secret-free description of the underlying error (name: message). */
  cause?: string;
};

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: string, message: string, detail?: string, cause?: string): Result<never> => ({
  ok: false,
  error: appError(code, message, detail, cause),
});

export function appError(code: string, message: string, detail?: string, cause?: string): AppError {
  const e: AppError = { code, message };
  if (detail !== undefined) e.detail = detail;
  if (cause !== undefined) e.cause = cause;
  return e;
}

/** An Error that carries an AppError: throw it inside a module, convert at the edge. */
export class AppFailure extends Error {
  readonly appError: AppError;
  constructor(error: AppError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.name = 'AppFailure';
    this.appError = error;
  }
}

// Errors are values across every boundary (IPC, CLI, probe steps): a Result carries either the
// value or an AppError whose code comes from the diagnostics catalog (shared/diagnostics.ts).
import { z } from 'zod';

export const AppErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  detail: z.string().optional(),
  /** A short, secret-free description of the underlying error (name: message). */
  cause: z.string().optional(),
});
export type AppError = z.infer<typeof AppErrorSchema>;

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

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorSchema }),
  ]);

/** An Error that carries an AppError: throw it inside a module, convert at the edge. */
export class AppFailure extends Error {
  readonly appError: AppError;
  constructor(error: AppError, options?: { cause?: unknown }) {
    super(error.message, options);
    this.name = 'AppFailure';
    this.appError = error;
  }
}

export function isAppError(value: unknown): value is AppError {
  return AppErrorSchema.safeParse(value).success;
}

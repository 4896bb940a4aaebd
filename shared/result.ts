// Errors are values across every boundary (IPC, CLI, probe steps): a Result carries either the
// value or an AppError whose code comes from the diagnostics catalog (shared/diagnostics.ts).
// The values and AppFailure live in app-error.ts (no zod); the schemas for IPC are here.
import { z } from 'zod';
import type { AppError } from './app-error.ts';

export { AppFailure, appError, err, ok, type AppError, type Result } from './app-error.ts';

export const AppErrorSchema: z.ZodType<AppError> = z.object({
  code: z.string().min(1),
  message: z.string(),
  detail: z.string().optional(),
  /** A short, secret-free description of the underlying error (name: message). */
  cause: z.string().optional(),
});

export const resultSchema = <T extends z.ZodType>(value: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: AppErrorSchema }),
  ]);

export function isAppError(value: unknown): value is AppError {
  return AppErrorSchema.safeParse(value).success;
}

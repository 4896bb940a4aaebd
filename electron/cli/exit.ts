// The CLI's exit codes (documented in the README and in `mail-oauth --help`). Mail clients and
// scripts branch on them: 3 means "a person must sign in again", 4 "try again later".
import { describe } from '../../shared/diagnostics.ts';
import type { AppError } from '../../shared/result.ts';
import type { CliIO } from './command.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, reauthorize: 3, temporary: 4 } as const;

export const EXIT_CODES_HELP = `Exit codes: 0 ok, 1 failed, 2 bad usage, 3 sign in again (mail-oauth authorize),
4 temporary (network, identity provider down, time-out): try again later.
`;

/** The exit code of a diagnosis code: the catalog says whether it needs a new sign-in or passes. */
export function exitCodeFor(code: string): number {
  const d = describe(code);
  if (d.action === 'reauthorize') return EXIT.reauthorize;
  if (d.temporary === true) return EXIT.temporary;
  return EXIT.failed;
}

/** The exit code of several failures (a connection test): the least a person has to do wins
 * only when every failure agrees; a mix is "failed". */
export function exitCodeForAll(codes: readonly string[]): number {
  if (codes.length === 0) return EXIT.failed;
  const exits = new Set(codes.map(exitCodeFor));
  if (exits.size === 1) return [...exits][0] ?? EXIT.failed;
  return exits.has(EXIT.reauthorize) ? EXIT.reauthorize : EXIT.failed;
}

/** What to do next, in one clause. */
export function nextStep(error: AppError, accountRef?: string): string {
  const d = describe(error.code);
  if (d.action === 'reauthorize' && accountRef) return `run mail-oauth authorize ${accountRef}`;
  if (d.temporary === true) return `try again later (${d.fix[0] ?? 'check the network'})`;
  return d.fix[0] ?? 'see mail-oauth --help';
}

/** A failure as one line on stderr (what `token` prints: a mail client shows it verbatim). */
export function failLine(io: CliIO, command: string, error: AppError, accountRef?: string): number {
  const d = describe(error.code);
  const what = error.message && error.message !== d.title ? `${d.title}: ${error.message}` : d.title;
  io.stderr.write(`mail-oauth ${command}: ${d.code}: ${oneLine(what)}. Next: ${oneLine(nextStep(error, accountRef))}\n`);
  return exitCodeFor(error.code);
}

/** A failure as the diagnostics catalog explains it (for commands a person runs). */
export function failExplained(io: CliIO, command: string, error: AppError, accountRef?: string): number {
  const d = describe(error.code);
  failLine(io, command, error, accountRef);
  io.stderr.write(`  ${d.explanation}\n`);
  if (error.detail) io.stderr.write(`  Detail: ${oneLine(error.detail)}\n`);
  for (const [i, step] of d.fix.entries()) io.stderr.write(`  ${i + 1}. ${step}\n`);
  return exitCodeFor(error.code);
}

const oneLine = (s: string): string => s.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\.+$/, '').trim();

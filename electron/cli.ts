// The headless entry: `mail-oauth <command> [flags]` (installed, bin/mail-oauth.cjs loads the
// bundle built from this file), or `node electron/cli.ts` from a checkout. The same core as the
// app, driven from a terminal. Commands are loaded lazily (electron/cli/registry.ts).
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError, UsageError, type CliIO } from './cli/command.ts';
import { COMMAND_ENTRIES, type CommandEntry } from './cli/registry.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeFor, nextStep } from './cli/exit.ts';
import { cliVersion } from './cli/version.ts';
import { exitProcess } from './core/exit-process.ts';
import { lazyStdio } from './cli/stdio.ts';
import { commandKey, installCodeCache } from './cli/code-cache.ts';
import type { AppError } from '../shared/result.ts';

function usage(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: mail-oauth <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `mail-oauth <command> --help` for the flags of a command; `mail-oauth --version` for the version.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

export async function main(argv: string[], io: CliIO, commands: readonly CommandEntry[] = COMMAND_ENTRIES): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr.write(`mail-oauth: unknown command "${name}"\n\n${usage(commands)}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mail-oauth ${name}: ${error.message}\n\n${command.usage}`);
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`mail-oauth ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    // An AppFailure (shared/result.ts), recognized by shape: importing that module here would
    // load zod before any command runs (`--help` must stay fast).
    const appError = (error as { appError?: AppError } | null)?.appError;
    if (appError && typeof appError.code === 'string') {
      const e = appError;
      // The detail names the failing part (which keyring, which file); the next step the fix.
      io.stderr.write(`mail-oauth ${name}: ${e.code}: ${e.message}${e.detail ? ` (${e.detail})` : ''}. Next: ${nextStep(e)}\n`);
      return exitCodeFor(e.code);
    }
    // Never a stack trace: one line, and the cause's name.
    io.stderr.write(`mail-oauth ${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return EXIT.failed;
  }
}

/** Run as a program: the exit code is set once stdout and stderr are flushed (a pipe to a mail
 * client must receive the whole token). */
export async function runCli(argv: string[] = process.argv.slice(2)): Promise<void> {
  // zod without its compiled fast path: a short-lived process parses a few records once, and
  // compiling a parser per object schema (new Function) cost more than it saved: ~10 ms of a
  // `token` or `test` start (issue 10). Set before any schema is built (the command chunks load
  // later); zod reads it from this global (changed in place: zod keeps the object).
  const g = globalThis as { __zod_globalConfig?: Record<string, unknown> };
  (g.__zod_globalConfig ??= {}).jitless = true;
  // The built command: its larger chunks from a code cache made after earlier runs
  // (electron/cli/code-cache.ts). The ones a `token` call with a saved token loads stay with
  // Node's compile cache: the groups of cli.vite.config.ts and the bundler's runtime.
  if (import.meta.url.endsWith('.cjs')) {
    installCodeCache({
      chunksDir: join(dirname(fileURLToPath(import.meta.url)), 'chunks'),
      skip: /^(base|token|rolldown-runtime)-/,
      command: commandKey(argv[0]),
      cacheDir: Module.getCompileCacheDir?.(),
    });
  }
  const controller = new AbortController();
  // Written to directly until a command needs the streams themselves (electron/cli/stdio.ts).
  const stdout = lazyStdio(1, () => process.stdout);
  const stderr = lazyStdio(2, () => process.stderr);
  const io: CliIO = { stdout, stderr, env: process.env, signal: controller.signal };
  // Ctrl+C cancels the running command, which then cleans up and says so; a second one stops at
  // once. A lasting listener (not `once`): proper-lockfile's signal-exit re-raises a signal when
  // its own listeners are the only ones left, which killed the process before any clean-up.
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) exitProcess(130);
    interrupted = true;
    controller.abort();
  });
  const code = await main(argv, io);
  process.exitCode = code;
  // Pooled keep-alive connections to the identity provider would hold the process for their
  // idle time: once the output is flushed there is nothing left to wait for.
  // (A direct write is out already; only a stream that was built may still hold some.)
  await Promise.all([stdout, stderr].filter((s) => s.streamCreated).map((s) => new Promise<void>((r) => s.write('', () => r()))));
  // Not process.exit: after a keyring call that never answered it would wait for that call forever.
  exitProcess(code);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void runCli();

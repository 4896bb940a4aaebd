// The shape of a CLI subcommand: the dispatcher (electron/cli.ts) lists them; adding a command
// is one entry there.

export type CliIO = {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Cancels the running command (Ctrl+C). */
  signal: AbortSignal;
};

export type CliCommand = {
  name: string;
  summary: string;
  usage: string;
  /** Exit code: 0 success, 1 the check failed, 2 bad usage. */
  run(argv: string[], io: CliIO): Promise<number>;
};

/** Bad flags: the dispatcher prints the message and the command's usage, exits 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

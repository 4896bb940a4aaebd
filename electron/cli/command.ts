// The shape of a CLI subcommand: the dispatcher (electron/cli.ts) lists them in
// electron/cli/registry.ts; adding a command is one entry there.

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
  /** Exit code (electron/cli/exit.ts): 0 ok, 1 failed, 2 bad usage, 3 re-authorize, 4 temporary. */
  run(argv: string[], io: CliIO): Promise<number>;
};

/** Bad flags: the dispatcher prints the message and where the flags are explained, exits 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure that is one line on stderr and a given exit code (an unknown account: 2, not the
 * whole usage text, which would hide the one line that matters in a mail client's log). */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

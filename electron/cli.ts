// The headless entry: `npm run cli -- <command> [flags]` (node electron/cli.ts). The same core as
// the app, driven from a terminal. Each subcommand is one entry in COMMANDS.
import { pathToFileURL } from 'node:url';
import { UsageError, type CliCommand, type CliIO } from './cli/command.ts';
import { createTestCommand } from './cli/test-command.ts';
import { accountCommands } from './cli/account-commands.ts';
import { createDiscoverCommand } from './cli/discover-command.ts';
import { savedAccountResolver } from './cli/cli-core.ts';

const controller = new AbortController();
const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };

export const COMMANDS: readonly CliCommand[] = [
  createTestCommand({ resolveAccount: savedAccountResolver(processIO) }),
  createDiscoverCommand(),
  ...accountCommands(),
];

function usage(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: mail-oauth <command> [flags]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `mail-oauth <command> --help` for the flags of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`Unknown command: ${name}\n\n${usage(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${command.usage}`);
      return 2;
    }
    // Never a stack trace: one line, and the cause's name.
    io.stderr.write(`mail-oauth ${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.once('SIGINT', () => controller.abort());
  const code = await main(process.argv.slice(2), processIO);
  process.exitCode = code;
}

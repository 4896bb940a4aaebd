// Where the Node shells (the CLI and the development web host) keep accounts and encrypted
// secrets: one directory, so an account set up in the web host is usable from the CLI.
// The desktop app uses Electron's userData directory instead (its secrets use another key).
import { homedir } from 'node:os';
import { join } from 'node:path';

export const nodeDataDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.MAIL_OAUTH_DATA_DIR ?? join(homedir(), '.config', 'mail-oauth-assistant', 'cli');

// The CLI bundle's stand-in for the `pino` package (cli.vite.config.ts aliases it to this file).
// imapflow imports pino for its default logger, made only when a connection is given no logger;
// the connection test always gives its own (electron/probe/imap.ts). Evaluating pino, its
// serializers and its stream code ran on every `mail-oauth test` start (issue 10). A default
// logger asked for anyway is a silent one.
type Silent = { level: string; child(): Silent } & Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', () => void>;

export default function pino(): Silent {
  const none = (): void => undefined;
  const logger: Silent = { level: 'silent', child: () => logger, trace: none, debug: none, info: none, warn: none, error: none, fatal: none };
  return logger;
}

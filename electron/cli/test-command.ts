// `mail-oauth test`: the one-click connection test from a terminal. Ad-hoc flags, or (once the
// store exists) a saved account through an injected resolver.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { staticToken, type TokenSource } from '../core/ports.ts';
import type { Servers, ServerSettings } from '../../shared/account.ts';
import { providerById, SaslMechanism, type Protocol, type Security } from '../../shared/providers.ts';
import { runProbe, type ProbeInput } from '../probe/run-probe.ts';
import { UsageError, type CliCommand, type CliIO } from './command.ts';
import { Timeline, renderDiagnoses } from './timeline.ts';

export const TEST_USAGE = `Usage: mail-oauth test --address <a@b> [servers] --token-file <file> [options]
       mail-oauth test --account <id> [options]

Servers (at least one, unless --provider has defaults):
  --imap <host:port[:tls|starttls|none]>
  --pop  <host:port[:tls|starttls|none]>
  --smtp <host:port[:tls|starttls|none]>
      security defaults from the port: 993/995/465 tls, 143/110/587/25 starttls.
      none = plaintext, for local test servers only.

Options:
  --token-file <file>     file holding the access token (read, trimmed, never printed)
  --mechanism <name>      XOAUTH2 or OAUTHBEARER (default: the provider's list)
  --provider <id>         provider catalog id (microsoft-365, google, ...)
  --ca-file <file>        trust an extra CA (PEM) besides the system roots
  --timeout <ms>          overall time limit (default 45000)
  --step-timeout <ms>     time limit of each step (default 15000)
  --send-test-message     send a real message to yourself instead of MAIL FROM/RCPT TO/RSET
  --json                  print the report as JSON only
  --account <id>          test a saved account (when available)

Exit: 0 all passed, 1 a check failed, 2 bad usage.
`;

/** What a saved account resolves to (the lead wires this to electron/store/ later). */
export type ResolvedAccount = Omit<ProbeInput, 'token'> & { token: TokenSource };
export type AccountResolver = (accountId: string) => Promise<ResolvedAccount>;

const DEFAULT_SECURITY: Readonly<Record<number, Security>> = {
  993: 'tls',
  995: 'tls',
  465: 'tls',
  143: 'starttls',
  110: 'starttls',
  587: 'starttls',
  25: 'starttls',
};

/** `host:port[:security]`, IPv6 as `[::1]:993:tls`. */
export function parseServerSpec(flag: string, value: string): ServerSettings {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})(?::(tls|starttls|none))?$/i.exec(value.trim());
  if (!m) throw new UsageError(`--${flag}: expected host:port[:tls|starttls|none], got "${value}"`);
  const host = (m[1] ?? m[2] ?? '').toLowerCase();
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new UsageError(`--${flag}: port out of range: ${port}`);
  const security = (m[4]?.toLowerCase() as Security | undefined) ?? DEFAULT_SECURITY[port] ?? 'tls';
  return { enabled: true, host, port, security };
}

const Flags = z.object({
  address: z.string().email('--address: enter a full email address').optional(),
  imap: z.string().optional(),
  pop: z.string().optional(),
  smtp: z.string().optional(),
  'token-file': z.string().min(1).optional(),
  mechanism: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(SaslMechanism)
    .optional(),
  provider: z.string().optional(),
  'ca-file': z.string().min(1).optional(),
  timeout: z.coerce.number().int().positive('--timeout: a positive number of milliseconds').optional(),
  'step-timeout': z.coerce.number().int().positive('--step-timeout: a positive number of milliseconds').optional(),
  'send-test-message': z.boolean().optional(),
  json: z.boolean().optional(),
  account: z.string().min(1).optional(),
});
type Flags = z.infer<typeof Flags>;

function parseFlags(argv: string[]): Flags {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        address: { type: 'string' },
        imap: { type: 'string' },
        pop: { type: 'string' },
        smtp: { type: 'string' },
        'token-file': { type: 'string' },
        mechanism: { type: 'string' },
        provider: { type: 'string' },
        'ca-file': { type: 'string' },
        timeout: { type: 'string' },
        'step-timeout': { type: 'string' },
        'send-test-message': { type: 'boolean' },
        json: { type: 'boolean' },
        account: { type: 'string' },
      },
    }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = Flags.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('\n'));
  return parsed.data;
}

async function readSecretFile(flag: string, path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--${flag}: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return text;
}

async function adHocInput(flags: Flags): Promise<ResolvedAccount> {
  if (!flags.address) throw new UsageError('--address is required');
  if (!flags['token-file']) throw new UsageError('--token-file is required');
  const provider = flags.provider ? providerById(flags.provider) : undefined;
  if (flags.provider && !provider) throw new UsageError(`--provider: unknown provider "${flags.provider}"`);
  const servers: Servers = {};
  const specs: Array<[Protocol, string | undefined]> = [
    ['imap', flags.imap],
    ['pop', flags.pop],
    ['smtp', flags.smtp],
  ];
  for (const [protocol, spec] of specs) if (spec) servers[protocol] = parseServerSpec(protocol, spec);
  if (Object.keys(servers).length === 0 && provider) {
    for (const [protocol, d] of Object.entries(provider.servers) as Array<[Protocol, { host: string; port: number; security: Security }]>) {
      servers[protocol] = { enabled: true, ...d };
    }
  }
  if (Object.keys(servers).length === 0) throw new UsageError('Give at least one of --imap, --pop, --smtp');
  const token = (await readSecretFile('token-file', flags['token-file'])).trim();
  if (!token) throw new UsageError('--token-file: the file is empty');
  const input: ResolvedAccount = {
    address: flags.address,
    servers,
    mechanisms: flags.mechanism ? [flags.mechanism] : (provider?.mechanisms ?? ['OAUTHBEARER', 'XOAUTH2']),
    token: staticToken(token),
  };
  if (provider) input.providerId = provider.id;
  return input;
}

export function createTestCommand(deps: { resolveAccount?: AccountResolver } = {}): CliCommand {
  return {
    name: 'test',
    summary: 'run the connection test (IMAP, POP, SMTP with OAuth) and explain failures',
    usage: TEST_USAGE,
    async run(argv: string[], io: CliIO): Promise<number> {
      const flags = parseFlags(argv);
      let input: ResolvedAccount;
      if (flags.account) {
        if (!deps.resolveAccount) throw new UsageError('--account: saved accounts are not available in this build');
        input = await deps.resolveAccount(flags.account);
        if (flags.mechanism) input = { ...input, mechanisms: [flags.mechanism] };
      } else {
        input = await adHocInput(flags);
      }
      if (flags['send-test-message']) input = { ...input, sendTestMessage: true };
      const ca = flags['ca-file'] ? await readSecretFile('ca-file', flags['ca-file']) : undefined;
      const timeouts: { step?: number; overall?: number } = {};
      if (flags.timeout) timeouts.overall = flags.timeout;
      if (flags['step-timeout']) timeouts.step = flags['step-timeout'];
      else if (flags.timeout) timeouts.step = Math.min(flags.timeout, 15_000);

      const timeline = flags.json ? undefined : new Timeline(io.stdout, input.address);
      const report = await runProbe(input, {
        signal: io.signal,
        ...(ca === undefined ? {} : { ca }),
        timeouts,
        ...(timeline ? { onProgress: (p) => timeline.update(p) } : {}),
      });
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else if (timeline) {
        timeline.finish(report);
        io.stdout.write(renderDiagnoses(report));
      }
      return report.ok ? 0 : 1;
    },
  };
}

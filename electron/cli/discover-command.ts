// `mail-oauth discover <address>`: where the servers of an address probably are (catalog, MX,
// autoconfig/ISPDB, SRV, guesses), each with its source; nothing here is trusted until tested.
import { isIP } from 'node:net';
import { z } from 'zod';
import { discoverServers } from '../discover/discover.ts';
import { providerById } from '../../shared/providers.ts';
import { AppFailure } from '../../shared/result.ts';
import { UsageError, type CliCommand } from './command.ts';
import { parseCommand } from './args.ts';
import { readCaFile } from './cli-core.ts';

/** `--dns host:port[,host:port]`: DNS servers are IP addresses (`[::1]:53` for IPv6), port 53 by default. */
export function parseDnsServers(value: string): string[] {
  const out: string[] = [];
  for (const raw of value.split(',').map((s) => s.trim())) {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)|([0-9a-f:]+))(?::(\d{1,5}))?$/i.exec(raw);
    const host = m?.[1] ?? m?.[2] ?? m?.[3];
    if (!m || host === undefined || isIP(host) === 0) throw new UsageError(`--dns: "${raw}" is not a DNS server address (an IP, optionally :port, like 127.0.0.1:5353 or [::1]:53)`);
    const port = m[4] === undefined ? 53 : Number(m[4]);
    if (port < 1 || port > 65535) throw new UsageError(`--dns: port out of range in "${raw}" (1-65535)`);
    out.push(m[4] === undefined ? raw : isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);
  }
  return out;
}

const USAGE = `Usage: mail-oauth discover <email address> [--json] [--dns host:port[,host:port]] [--ca-file <file>]

Looks up the provider and the IMAP, POP and SMTP servers of an address in the provider catalog,
the domain's MX records, Mozilla autoconfig and ISPDB, and RFC 6186 SRV records, all in parallel.
Every result says where it came from; test it with \`mail-oauth test\` before trusting it.
`;

export function createDiscoverCommand(): CliCommand {
  return {
    name: 'discover',
    summary: 'find the provider and the server settings of an address',
    usage: USAGE,
    async run(argv, io) {
      const { values, args: positionals } = parseCommand(
        argv,
        { json: { type: 'boolean' }, dns: { type: 'string' }, 'ca-file': { type: 'string' } },
        1,
        false,
      );
      const address = z.string().email().safeParse(positionals[0]);
      if (!address.success || positionals.length !== 1) throw new UsageError('Give one full email address');
      const dns = typeof values.dns === 'string' ? parseDnsServers(values.dns) : undefined;
      const ca = typeof values['ca-file'] === 'string' ? readCaFile('ca-file', values['ca-file']) : undefined;
      let result;
      try {
        result = await discoverServers(address.data, {
          signal: io.signal,
          ...(dns ? { resolver: { servers: dns } } : {}),
          ...(ca ? { ca } : {}),
        });
      } catch (error) {
        if (error instanceof AppFailure) {
          io.stderr.write(`✗ ${error.appError.message}\n`);
          return 1;
        }
        throw error;
      }
      if (values.json) {
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return 0;
      }
      const p = result.provider ? providerById(result.provider.id) : undefined;
      io.stdout.write(
        `Provider: ${p ? `${p.label} (from ${result.provider?.source === 'mx' ? `MX ${result.provider.mxHost ?? ''}` : 'the domain'})` : 'not recognized'}\n`,
      );
      for (const protocol of ['imap', 'pop', 'smtp'] as const) {
        const list = result.candidates[protocol];
        io.stdout.write(`${protocol.toUpperCase()}:${list.length === 0 ? ' nothing found' : ''}\n`);
        for (const c of list.slice(0, 4)) {
          io.stdout.write(`  ${c.host}:${c.port} ${c.security}  ${c.source}, ${c.confidence} confidence${c.oauth2 ? ', OAuth2' : ''}\n`);
        }
        const warning = result.warnings[protocol];
        if (warning) io.stdout.write(`  ! ${warning}\n`);
      }
      const failed = result.sources.filter((s) => !s.ok);
      if (failed.length > 0) io.stdout.write(`Lookups that found nothing: ${failed.map((s) => `${s.name} (${s.error ?? 'no answer'})`).join('; ')}\n`);
      io.stdout.write('Nothing here is tested yet: run `mail-oauth test` with these servers.\n');
      return 0;
    },
  };
}

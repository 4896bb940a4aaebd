// `mail-oauth discover <address>`: where the servers of an address probably are (catalog, MX,
// autoconfig/ISPDB, SRV, guesses), each with its source; nothing here is trusted until tested.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { discoverServers } from '../discover/discover.ts';
import { providerById } from '../../shared/providers.ts';
import { AppFailure } from '../../shared/result.ts';
import { UsageError, type CliCommand } from './command.ts';

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
      let values: { json?: boolean; dns?: string; 'ca-file'?: string };
      let positionals: string[];
      try {
        ({ values, positionals } = parseArgs({
          args: argv,
          allowPositionals: true,
          strict: true,
          options: { json: { type: 'boolean' }, dns: { type: 'string' }, 'ca-file': { type: 'string' } },
        }));
      } catch (error) {
        throw new UsageError(error instanceof Error ? error.message : String(error));
      }
      const address = z.string().email().safeParse(positionals[0]);
      if (!address.success || positionals.length !== 1) throw new UsageError('Give one full email address');
      const ca = values['ca-file']
        ? await readFile(values['ca-file'], 'utf8').catch(() => {
            throw new UsageError(`--ca-file: cannot read ${values['ca-file']}`);
          })
        : undefined;
      let result;
      try {
        result = await discoverServers(address.data, {
          signal: io.signal,
          ...(values.dns ? { resolver: { servers: values.dns.split(',') } } : {}),
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

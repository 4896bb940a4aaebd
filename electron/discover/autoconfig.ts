// Mozilla autoconfig (config-v1.1.xml) to candidates. The document is untrusted: it is parsed by
// our limited parser (xml.ts), every host and port is validated with zod, and entries we cannot
// use are skipped with a reason instead of failing the whole source.
// Format: https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat
import { z } from 'zod';
import { HostName, Port } from '../../shared/discovery.ts';
import type { Candidate, CandidateSource, Confidence } from '../../shared/discovery.ts';
import type { Protocol, Security } from '../../shared/providers.ts';
import { childText, childrenNamed, parseXml } from './xml.ts';
import type { XmlElement } from './xml.ts';

export type AutoconfigParse = {
  candidates: Array<Candidate & { protocol: Protocol }>;
  /** Why entries were skipped (for the source's detail line). */
  skipped: string[];
};

const SERVER_TYPES: Readonly<Record<string, Protocol>> = { imap: 'imap', pop3: 'pop', smtp: 'smtp' };

/** socketType values of the format; "plain" means no TLS at all. */
const SOCKET_TYPES: Readonly<Record<string, Security>> = { SSL: 'tls', STARTTLS: 'starttls', plain: 'none' };

const ServerEntry = z.object({
  host: HostName,
  // Decimal digits only: Number() would also accept "0x3e1", "1e3" or "" (= 0).
  port: z.string().regex(/^[0-9]{1,5}$/).transform(Number).pipe(Port),
  security: z.enum(['tls', 'starttls', 'none']),
});

/** The placeholders of the format (%EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%). Any other
 * %...% is left as is and then fails host validation, which is what we want. */
export function substitutePlaceholders(value: string, address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return value
    .replaceAll('%EMAILADDRESS%', address)
    .replaceAll('%EMAILLOCALPART%', local)
    .replaceAll('%EMAILDOMAIN%', domain);
}

/**
 * Parse a config-v1.1.xml document. Throws (XmlError or Error with a clear message) when the
 * document is not XML or not an autoconfig document; returns skipped entries otherwise.
 */
export function parseAutoconfig(
  xml: string,
  address: string,
  source: CandidateSource,
  confidence: Confidence,
  origin: string,
): AutoconfigParse {
  const root = parseXml(xml);
  if (root.name !== 'clientConfig') {
    throw new Error(`not a Mozilla autoconfig document (root element <${root.name}>, expected <clientConfig>)`);
  }
  const providers = childrenNamed(root, 'emailProvider');
  if (providers.length === 0) throw new Error('autoconfig document has no <emailProvider>');
  const out: AutoconfigParse = { candidates: [], skipped: [] };
  for (const provider of providers) {
    const servers: Array<{ el: XmlElement; kind: 'incoming' | 'outgoing' }> = [
      ...childrenNamed(provider, 'incomingServer').map((el) => ({ el, kind: 'incoming' as const })),
      ...childrenNamed(provider, 'outgoingServer').map((el) => ({ el, kind: 'outgoing' as const })),
    ];
    for (const { el, kind } of servers) {
      const type = el.attributes.type ?? '';
      const protocol = SERVER_TYPES[type];
      if (!protocol || (kind === 'outgoing') !== (protocol === 'smtp')) {
        // e.g. exchange/ews/jmap incoming servers: not something this app configures.
        out.skipped.push(`${kind}Server type "${type.slice(0, 20)}" not supported`);
        continue;
      }
      const rawHost = substitutePlaceholders(childText(el, 'hostname') ?? '', address);
      const socketType = childText(el, 'socketType') ?? '';
      const parsed = ServerEntry.safeParse({
        host: rawHost.replace(/\.$/, ''),
        port: childText(el, 'port') ?? '',
        security: SOCKET_TYPES[socketType] ?? 'unknown',
      });
      if (!parsed.success) {
        const field = String(parsed.error.issues[0]?.path[0] ?? 'entry');
        out.skipped.push(`${type} entry with invalid ${field === 'security' ? 'socketType' : field}`);
        continue;
      }
      const auth = childrenNamed(el, 'authentication').map((a) => a.text.trim());
      const user = childText(el, 'username');
      const { host, port, security } = parsed.data;
      const via = source === 'ispdb' ? 'the Thunderbird ISPDB' : 'the domain’s autoconfig file';
      let note = `Found in ${via} (${origin}); not yet tested.`;
      if (security === 'none') note += ' Plaintext: the token would travel unencrypted.';
      // The user name is shown, not used: strip control characters so it cannot disturb the UI.
      // eslint-disable-next-line no-control-regex
      if (user) note += ` User name: ${substitutePlaceholders(user, address).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 320)}.`;
      out.candidates.push({
        protocol,
        host,
        port,
        security,
        source,
        confidence,
        note,
        oauth2: auth.includes('OAuth2'),
      });
    }
  }
  return out;
}

// The safe XML parser and the autoconfig reader on hostile and malformed inputs (a table of
// cases), plus the ranking rules. Pure functions: no network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseXml, XmlError, DEFAULT_XML_LIMITS } from '../../electron/discover/xml.ts';
import { parseAutoconfig, substitutePlaceholders } from '../../electron/discover/autoconfig.ts';
import { rankCandidates, suggest } from '../../electron/discover/rank.ts';
import { registeredDomain } from '../../electron/discover/dns.ts';
import type { Candidate } from '../../shared/discovery.ts';

const lol = ['<!ENTITY lol "lol">'];
for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);

const hostile: ReadonlyArray<{ name: string; xml: string; error: RegExp }> = [
  { name: 'billion laughs', xml: `<?xml version="1.0"?><!DOCTYPE a [${lol.join('')}]><a>&lol9;</a>`, error: /DTD \(<!DOCTYPE>\) is not allowed/ },
  { name: 'external entity (XXE)', xml: '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', error: /DTD/ },
  { name: 'lower-case doctype', xml: '<!doctype a><a/>', error: /DTD/ },
  { name: 'undeclared entity', xml: '<a>&xxe;</a>', error: /unknown entity &xxe; \(entities are not expanded\)/ },
  { name: 'bare ampersand', xml: '<a>fish & chips</a>', error: /bare "&"/ },
  { name: 'NUL character reference', xml: '<a>&#0;</a>', error: /not an XML character/ },
  { name: 'out-of-range character reference', xml: '<a>&#x110000;</a>', error: /not an XML character/ },
  { name: 'surrogate character reference', xml: '<a>&#xD800;</a>', error: /not an XML character/ },
  { name: 'raw control character', xml: '<a>\u0001</a>', error: /U\+0001 is not allowed/ },
  { name: 'mismatched tags', xml: '<a><b></a></b>', error: /<\/a> does not match <b>/ },
  { name: 'unclosed element', xml: '<a><b>', error: /unclosed element <b>/ },
  { name: 'two roots', xml: '<a/><b/>', error: /more than one root/ },
  { name: 'text after root', xml: '<a/>junk', error: /text outside the root/ },
  { name: 'empty document', xml: '  <!-- nothing -->  ', error: /no root element/ },
  { name: 'unquoted attribute', xml: '<a type=imap/>', error: /not quoted/ },
  { name: 'duplicate attribute', xml: '<a t="1" t="2"/>', error: /duplicate attribute t/ },
  { name: 'attribute without space', xml: '<a x="1"y="2"/>', error: /expected whitespace/ },
  { name: '< in attribute', xml: '<a x="<"/>', error: /"<" in attribute/ },
  { name: 'unterminated comment', xml: '<a><!-- oops</a>', error: /unterminated comment/ },
  { name: 'unterminated CDATA', xml: '<a><![CDATA[oops</a>', error: /unterminated CDATA/ },
  { name: 'closing tag without opening', xml: '</a>', error: /without an opening tag/ },
  { name: 'html, not xml', xml: '<html><body><br></body></html>', error: /<\/body> does not match <br>/ },
  { name: 'too deep', xml: '<a>'.repeat(10_000) + '</a>'.repeat(10_000), error: /nested too deeply \(limit 32\)/ },
  { name: 'too many elements', xml: `<a>${'<b/>'.repeat(6000)}</a>`, error: /too many elements \(limit 5000\)/ },
  { name: 'too many attributes', xml: `<a ${Array.from({ length: 40 }, (_, i) => `a${i}="1"`).join(' ')}/>`, error: /too many attributes/ },
  { name: 'too large', xml: `<a>${'x'.repeat(DEFAULT_XML_LIMITS.maxChars)}</a>`, error: /document too large/ },
];

for (const c of hostile) {
  test(`xml parser refuses: ${c.name}`, () => {
    assert.throws(() => parseXml(c.xml), (e: unknown) => e instanceof XmlError && c.error.test(e.message));
  });
}

test('xml parser reads elements, attributes, entities, CDATA, comments, PIs and reports lines', () => {
  const doc = parseXml(
    '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c -->\n<root a="1 &amp; 2" b=\'&#x41;&#66;\'>\n' +
      '  <child>x &lt;y&gt; &quot;z&quot; &apos;</child><![CDATA[<raw & text>]]><empty/>\n</root>\n<?pi after?>\n',
  );
  assert.equal(doc.name, 'root');
  assert.deepEqual({ ...doc.attributes }, { a: '1 & 2', b: 'AB' });
  assert.equal(doc.children[0]?.text, 'x <y> "z" \'');
  assert.match(doc.text, /<raw & text>/);
  assert.equal(doc.children[1]?.name, 'empty');
  assert.throws(() => parseXml('<a>\n\n<b></c></a>'), (e: unknown) => e instanceof XmlError && e.line === 3);
  // "__proto__" as an attribute name is just data (the attribute record has no prototype).
  assert.equal(parseXml('<a __proto__="x"/>').attributes['__proto__'], 'x');
});

test('placeholders: %EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%', () => {
  assert.equal(
    substitutePlaceholders('%EMAILLOCALPART%|%EMAILDOMAIN%|%EMAILADDRESS%|%OTHER%', 'a.b@ex.test'),
    'a.b|ex.test|a.b@ex.test|%OTHER%',
  );
});

const wrap = (inner: string): string => `<clientConfig version="1.1"><emailProvider id="x">${inner}</emailProvider></clientConfig>`;
const imap = (host: string, port: string, socket: string): string =>
  `<incomingServer type="imap"><hostname>${host}</hostname><port>${port}</port><socketType>${socket}</socketType></incomingServer>`;

test('autoconfig reader: validates hosts, ports and socket types, skips what it cannot use', () => {
  const r = parseAutoconfig(
    wrap(
      imap('imap.%EMAILDOMAIN%', '993', 'SSL') +
        imap('%UNKNOWN%.ex.test', '993', 'SSL') +
        imap('imap.ex.test', '99999', 'SSL') +
        imap('imap.ex.test', '0x3e1', 'SSL') +
        imap('imap.ex.test', '993', 'TLS-ish') +
        imap('-bad-.ex.test', '993', 'SSL') +
        imap('IMAP2.EX.TEST.', ' 143 ', 'STARTTLS') +
        '<outgoingServer type="imap"><hostname>x.ex.test</hostname><port>1</port><socketType>SSL</socketType></outgoingServer>' +
        '<incomingServer type="jmap"><hostname>j.ex.test</hostname></incomingServer>',
    ),
    'u@ex.test',
    'autoconfig',
    'high',
    'ex.test',
  );
  assert.deepEqual(
    r.candidates.map((c) => `${c.protocol} ${c.host}:${c.port} ${c.security}`),
    ['imap imap.ex.test:993 tls', 'imap imap2.ex.test:143 starttls'],
  );
  assert.deepEqual(r.skipped, [
    'imap entry with invalid host',
    'imap entry with invalid port',
    'imap entry with invalid port',
    'imap entry with invalid socketType',
    'imap entry with invalid host',
    'incomingServer type "jmap" not supported',
    'outgoingServer type "imap" not supported',
  ]);
});

test('autoconfig reader: wrong documents are errors', () => {
  assert.throws(() => parseAutoconfig('<html/>', 'u@ex.test', 'ispdb', 'high', 'x'), /not a Mozilla autoconfig document/);
  assert.throws(() => parseAutoconfig('<clientConfig/>', 'u@ex.test', 'ispdb', 'high', 'x'), /no <emailProvider>/);
  assert.throws(() => parseAutoconfig('{"json": true}', 'u@ex.test', 'ispdb', 'high', 'x'), XmlError);
});

const c = (host: string, port: number, security: Candidate['security'], source: Candidate['source'], confidence: Candidate['confidence'], oauth2?: boolean): Candidate => ({
  host,
  port,
  security,
  source,
  confidence,
  note: `${source}.`,
  ...(oauth2 === undefined ? {} : { oauth2 }),
});

test('ranking: confidence, then implicit TLS before STARTTLS, then source; duplicates merged', () => {
  const ranked = rankCandidates([
    c('g.ex.test', 993, 'tls', 'guess', 'low'),
    c('s.ex.test', 143, 'starttls', 'srv', 'medium'),
    c('s.ex.test', 993, 'tls', 'srv', 'medium'),
    c('a.ex.test', 143, 'starttls', 'autoconfig', 'high', false),
    c('a.ex.test', 143, 'starttls', 'ispdb', 'high', true),
    c('g.ex.test', 993, 'tls', 'srv', 'medium'),
  ]);
  assert.deepEqual(
    ranked.map((x) => `${x.host}:${x.port} ${x.source}`),
    ['a.ex.test:143 autoconfig', 's.ex.test:993 srv', 'g.ex.test:993 srv', 's.ex.test:143 srv'],
  );
  assert.equal(ranked[0]?.oauth2, true);
  assert.equal(ranked[0]?.note, 'autoconfig. Also found by: ispdb.');
  assert.equal(ranked[2]?.note, 'srv. Also found by: guess.');
});

test('suggestion: never plaintext when something encrypted exists', () => {
  const s = suggest({
    imap: [c('p.ex.test', 143, 'none', 'autoconfig', 'high'), c('t.ex.test', 993, 'tls', 'guess', 'low')],
    pop: [c('p.ex.test', 110, 'none', 'guess', 'low')],
    smtp: [],
  });
  assert.deepEqual(s.suggested.imap, { enabled: true, host: 't.ex.test', port: 993, security: 'tls' });
  assert.equal(s.suggested.pop?.security, 'none');
  assert.match(s.warnings.pop ?? '', /plaintext POP3/);
  assert.equal(s.suggested.smtp, undefined);
  assert.equal(s.warnings.imap, undefined);
});

test('registered domain of an MX host (approximation without the Public Suffix List)', () => {
  assert.equal(registeredDomain('contoso-com.mail.protection.outlook.com'), 'outlook.com');
  assert.equal(registeredDomain('mx1.mail.example.co.uk.'), 'example.co.uk');
  assert.equal(registeredDomain('example.com'), 'example.com');
});

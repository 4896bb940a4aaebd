// A small, deliberately limited XML parser for untrusted autoconfig documents (Mozilla
// config-v1.1.xml, the ISPDB). It understands elements, attributes, text, CDATA, comments and
// processing instructions, and nothing else:
// - No DTD at all: `<!DOCTYPE` is refused, so there is no entity declaration to expand (billion
//   laughs, XML 1.0 section 4.2) and no external entity to fetch (XXE).
// - Only the five predefined entities and character references (XML 1.0 section 4.6, 4.1).
// - Hard limits on input size, nesting depth, element count and attributes per element; the parser
//   is iterative, so deep nesting cannot exhaust the call stack.
// Any violation throws XmlError with a line number; callers turn it into a per-source error.

export type XmlElement = {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (not of its children). */
  text: string;
};

export type XmlLimits = {
  /** Characters of input (the HTTP layer limits bytes before decoding). */
  maxChars: number;
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
};

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxChars: 256 * 1024,
  maxDepth: 32,
  maxElements: 5000,
  maxAttributes: 32,
};

export class XmlError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = 'XmlError';
    this.line = line;
  }
}

/** XML 1.0 section 2.3 S production: space, tab, CR, LF (not Unicode whitespace in general). */
const isWs = (c: number): boolean => c === 0x20 || c === 0x9 || c === 0xd || c === 0xa;
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]*/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 section 2.2 Char production: tab, LF, CR, and the ranges excluding surrogates and FFFE/FFFF. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

export function parseXml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (input.length > limits.maxChars) {
    throw new XmlError(`document too large (${input.length} characters, limit ${limits.maxChars})`, 1);
  }
  const src = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let pos = 0;
  let elements = 0;
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];

  const lineAt = (at: number): number => {
    let line = 1;
    for (let i = 0; i < at && i < src.length; i++) if (src.charCodeAt(i) === 10) line++;
    return line;
  };
  // Explicitly typed so TypeScript narrows after a call (a `never` call must have a declared type).
  const fail: (message: string, at?: number) => never = (message, at = pos) => {
    throw new XmlError(message, lineAt(at));
  };

  const decode = (raw: string, at: number): string => {
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const amp = raw.indexOf('&', i);
      if (amp < 0) {
        out += raw.slice(i);
        break;
      }
      out += raw.slice(i, amp);
      const semi = raw.indexOf(';', amp);
      if (semi < 0 || semi - amp > 12) fail('bare "&" or unterminated entity reference', at);
      const ref = raw.slice(amp + 1, semi);
      if (ref.startsWith('#')) {
        const hex = ref.startsWith('#x');
        const digits = ref.slice(hex ? 2 : 1);
        if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) fail(`invalid character reference &${ref};`, at);
        const cp = Number.parseInt(digits, hex ? 16 : 10);
        if (!isXmlChar(cp)) fail(`character reference &${ref}; is not an XML character`, at);
        out += String.fromCodePoint(cp);
      } else {
        const value = PREDEFINED[ref];
        // Any other entity would need a DTD declaration, which we refuse: never expand it.
        if (value === undefined) fail(`unknown entity &${ref}; (entities are not expanded)`, at);
        out += value;
      }
      i = semi + 1;
    }
    return out;
  };

  const appendText = (text: string, at: number): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
    else if (text.trim() !== '') fail('text outside the root element', at);
  };

  while (pos < src.length) {
    const lt = src.indexOf('<', pos);
    if (lt !== pos) {
      const end = lt < 0 ? src.length : lt;
      const raw = src.slice(pos, end);
      if (raw.includes(']]>')) fail('"]]>" is not allowed in text', pos);
      appendText(decode(raw, pos), pos);
      pos = end;
      continue;
    }
    if (src.startsWith('<?', pos)) {
      // XML declaration or processing instruction: skipped, never interpreted.
      const end = src.indexOf('?>', pos + 2);
      if (end < 0) fail('unterminated processing instruction');
      pos = end + 2;
    } else if (src.startsWith('<!--', pos)) {
      const end = src.indexOf('-->', pos + 4);
      if (end < 0) fail('unterminated comment');
      pos = end + 3;
    } else if (src.startsWith('<![CDATA[', pos)) {
      const end = src.indexOf(']]>', pos + 9);
      if (end < 0) fail('unterminated CDATA section');
      if (stack.length === 0) fail('CDATA outside the root element');
      appendText(src.slice(pos + 9, end), pos);
      pos = end + 3;
    } else if (src.startsWith('<!', pos)) {
      // <!DOCTYPE ...> and anything else DTD-like: refused outright (no entity declarations,
      // no external subsets; this is what makes entity bombs and XXE impossible).
      fail(src.slice(pos, pos + 9).toUpperCase() === '<!DOCTYPE' ? 'DTD (<!DOCTYPE>) is not allowed' : 'markup declaration is not allowed');
    } else if (src.startsWith('</', pos)) {
      const m = NAME.exec(src.slice(pos + 2, pos + 2 + 256));
      if (!m) fail('invalid closing tag');
      const name = m[0];
      let i = pos + 2 + name.length;
      while (i < src.length && isWs(src.charCodeAt(i))) i++;
      if (src[i] !== '>') fail(`malformed closing tag </${name}`);
      const open = stack.pop();
      if (!open) fail(`closing tag </${name}> without an opening tag`);
      if (open.name !== name) fail(`closing tag </${name}> does not match <${open.name}>`);
      pos = i + 1;
    } else {
      // Start tag: <name attr="v" attr='v' ...> or <name ... />
      const start = pos;
      const m = NAME.exec(src.slice(pos + 1, pos + 1 + 256));
      if (!m) fail('invalid tag name');
      const name = m[0];
      let i = pos + 1 + name.length;
      const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
      let count = 0;
      let selfClosing = false;
      for (;;) {
        const ws = i;
        while (i < src.length && isWs(src.charCodeAt(i))) i++;
        if (i >= src.length) fail(`unterminated tag <${name}`, start);
        if (src[i] === '>') {
          i++;
          break;
        }
        if (src.startsWith('/>', i)) {
          selfClosing = true;
          i += 2;
          break;
        }
        if (i === ws) fail(`expected whitespace between attributes in <${name}>`, start);
        const an = NAME.exec(src.slice(i, i + 256));
        if (!an) fail(`invalid attribute in <${name}>`, start);
        const attr = an[0];
        i += attr.length;
        while (i < src.length && isWs(src.charCodeAt(i))) i++;
        if (src[i] !== '=') fail(`attribute ${attr} in <${name}> has no value`, start);
        i++;
        while (i < src.length && isWs(src.charCodeAt(i))) i++;
        const quote = src[i];
        if (quote !== '"' && quote !== "'") fail(`attribute ${attr} in <${name}> is not quoted`, start);
        const close = src.indexOf(quote, i + 1);
        if (close < 0) fail(`unterminated attribute value in <${name}>`, start);
        const raw = src.slice(i + 1, close);
        if (raw.includes('<')) fail(`"<" in attribute ${attr} of <${name}>`, start);
        if (Object.hasOwn(attributes, attr)) fail(`duplicate attribute ${attr} in <${name}>`, start);
        if (++count > limits.maxAttributes) fail(`too many attributes in <${name}> (limit ${limits.maxAttributes})`, start);
        attributes[attr] = decode(raw, start);
        i = close + 1;
      }
      if (++elements > limits.maxElements) fail(`too many elements (limit ${limits.maxElements})`, start);
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail('more than one root element', start);
      else root = element;
      if (!selfClosing) {
        if (stack.length + 1 > limits.maxDepth) fail(`elements nested too deeply (limit ${limits.maxDepth})`, start);
        stack.push(element);
      }
      pos = i;
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no root element (empty document)');
  for (let i = 0; i < src.length; i++) {
    const cp = src.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (!isXmlChar(cp)) fail(`character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`, i);
  }
  return root;
}

/** Direct children named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** Trimmed text of the first direct child named `name`, if any. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = element.children.find((c) => c.name === name);
  return child?.text.trim();
}

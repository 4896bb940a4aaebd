// A build step of the CLI bundle (cli.vite.config.ts); tested by test/unit/lazy-libmime-gbk.test.ts.
import type { Plugin } from 'vite';

const LINE = /const DBCS_DECODER = ([\w.]+)\.getCodec\('gbk'\)\.decoder;/;
const USE = 'codec.decoder === DBCS_DECODER';

/**
 * libmime's charset.js with its GBK codec built on first use instead of at load; undefined when
 * the source no longer has the line (a libmime that changed it).
 */
export function lazyGbkSource(code: string): string | undefined {
  const m = LINE.exec(code);
  if (!m || !code.includes(USE)) return undefined;
  return code
    .replace(LINE, `let dbcsDecoder;\nconst DBCS_DECODER_OF = () => (dbcsDecoder ??= ${m[1]}.getCodec('gbk').decoder);`)
    .replaceAll(USE, 'codec.decoder === DBCS_DECODER_OF()');
}

/**
 * libmime (imapflow's) builds iconv-lite's whole GBK codec, tables and all, when it is loaded,
 * only to hold the decoder class that every double-byte codec shares: ~10 ms of CPU in the middle
 * of `mail-oauth test`'s first round trips, for a comparison made only while decoding a message
 * in such a charset. Here the codec is built the first time that comparison runs (issue 10).
 * Both of libmime's builds (ESM and CommonJS) are rewritten; a libmime whose source no longer has
 * the line is left as it is, with a warning.
 */
export function lazyLibmimeGbk(): Plugin {
  return {
    name: 'lazy-libmime-gbk',
    transform(code, id) {
      if (!/[\\/]libmime[\\/]dist[\\/](esm|cjs)[\\/]charset\.js$/.test(id)) return null;
      const lazy = lazyGbkSource(code);
      if (lazy === undefined) this.warn(`libmime's charset.js changed: its GBK codec is built at load again (${id})`);
      return lazy ?? null;
    },
  };
}

// The CLI bundle's rewrite of libmime (tools/lazy-libmime-gbk.ts): loading libmime no longer
// builds iconv-lite's GBK codec, and decoding GBK (whole and as a stream split inside a
// character, the path that compares against the shared double-byte decoder) gives the same text.
// Run on the installed libmime's own source, next to it so that its imports resolve as they do
// in the build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lazyGbkSource } from '../../tools/lazy-libmime-gbk.ts';

const require = createRequire(import.meta.url);
const esmDir = dirname(require.resolve('libmime').replace(/cjs[\\/]libmime\.js$/, 'esm/libmime.js'));
const iconv = createRequire(join(esmDir, 'charset.js'))('iconv-lite') as { _codecDataCache: Record<string, unknown> };
const nihao = Buffer.from([0xc4, 0xe3, 0xba, 0xc3]); // 你好 in GBK

type Charset = {
  decode(buf: Buffer, charset: string): string;
  createDecodeStream(charset: string): NodeJS.ReadWriteStream;
};

async function loadCopy(source: string, name: string): Promise<Charset> {
  const file = join(esmDir, `.${name}-${process.pid}.js`);
  writeFileSync(file, source);
  try {
    return (await import(pathToFileURL(file).href)) as Charset;
  } finally {
    rmSync(file, { force: true });
  }
}

async function streamDecode(m: Charset, chunks: Buffer[]): Promise<string> {
  const s = m.createDecodeStream('gbk');
  const out: Buffer[] = [];
  s.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise<void>((resolve, reject) => s.on('end', resolve).on('error', reject));
  for (const c of chunks) s.write(c);
  s.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

test('the rewritten libmime charset module does not build the GBK codec at load, and still decodes GBK', async () => {
  const original = readFileSync(join(esmDir, 'charset.js'), 'utf8');
  const lazy = lazyGbkSource(original);
  assert.ok(lazy, "libmime's charset.js still has the line the build rewrites");
  delete iconv._codecDataCache.gbk;
  const m = await loadCopy(lazy, 'charset-lazy');
  assert.equal(iconv._codecDataCache.gbk, undefined, 'no GBK codec after loading');
  assert.equal(await streamDecode(m, [nihao.subarray(0, 3), nihao.subarray(3)]), '你好');
  assert.equal(m.decode(nihao, 'gbk'), '你好');
  assert.ok(iconv._codecDataCache.gbk, 'built once it is needed');
});

test('the unrewritten module builds it at load (what the rewrite saves)', async () => {
  delete iconv._codecDataCache.gbk;
  await loadCopy(readFileSync(join(esmDir, 'charset.js'), 'utf8'), 'charset-original');
  assert.ok(iconv._codecDataCache.gbk);
});

test('a source without the line is left alone', () => {
  assert.equal(lazyGbkSource('export const x = 1;\n'), undefined);
});

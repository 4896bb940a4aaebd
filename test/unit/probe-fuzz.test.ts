// Property tests: the POP3 reader and the SASL challenge decoder get random and truncated input
// from a seeded PRNG. They must never crash with anything but their own clear error, and never
// hang (every read settles once the stream ends).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineReader, Pop3ProtocolError, readMultiline, readStatus, parseCapa } from '../../electron/probe/pop3/reader.ts';
import { decodeChallenge } from '../../electron/probe/sasl.ts';

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = ['+OK', '-ERR', '+ ', '+', '.', '..', '\r\n', '\n', '\r', ' ', 'SASL XOAUTH2', 'STLS', 'eyJzdGF0dXMiOiI0MDEifQ==', '\x00', '\xff', 'CAPA'];

/** Mostly-valid POP3 traffic: status lines, multi-line bodies, continuations, with random noise. */
function randomSession(rand: () => number): Buffer {
  const lines: string[] = [];
  const n = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.4) lines.push(`+OK ${'x'.repeat(Math.floor(rand() * 20))}`, 'SASL XOAUTH2', '..stuffed', '.');
    else if (r < 0.6) lines.push(`-ERR [AUTH] failed ${Math.floor(rand() * 100)}`);
    else if (r < 0.8) lines.push(`+ ${Buffer.from('{"status":"401"}').toString('base64')}`);
    else lines.push(randomInput(rand).toString('latin1'));
  }
  return Buffer.from(lines.join(rand() < 0.8 ? '\r\n' : '\n') + '\r\n', 'latin1');
}

function randomInput(rand: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = Math.floor(rand() * 12);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.5) {
      parts.push(Buffer.from(FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)] ?? '', 'latin1'));
    } else {
      const len = Math.floor(rand() * (rand() < 0.05 ? 20000 : 40));
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = Math.floor(rand() * 256);
      parts.push(b);
    }
  }
  return Buffer.concat(parts);
}

const isClearError = (e: unknown): boolean =>
  e instanceof Pop3ProtocolError || (e instanceof Error && /closed|ended/i.test(e.message));

test('POP3 reader: random and truncated input never crashes or hangs', async () => {
  const rand = prng(0x5eed);
  let statuses = 0;
  let errors = 0;
  let casesWithStatus = 0;
  for (let i = 0; i < 3000; i++) {
    const input = rand() < 0.5 ? randomSession(rand) : randomInput(rand);
    const reader = new LineReader();
    // feed in random chunk sizes, truncate at a random point, then end the stream
    const cut = Math.floor(rand() * (input.length + 1));
    let pos = 0;
    while (pos < cut) {
      const size = 1 + Math.floor(rand() * 64);
      reader.push(input.subarray(pos, Math.min(cut, pos + size)));
      pos += size;
    }
    reader.fail(new Error('Connection closed by the server'));
    const before = statuses;
    try {
      for (let k = 0; k < 50; k++) {
        const s = await readStatus(reader);
        statuses++;
        assert.ok(['+OK', '-ERR', '+'].includes(s.kind));
        if (s.kind === '+OK' && rand() < 0.5) parseCapa(await readMultiline(reader));
      }
    } catch (e) {
      errors++;
      assert.ok(isClearError(e), `unexpected error: ${String(e)}`);
    }
    if (statuses > before) casesWithStatus++;
  }
  // the generator produced both kinds of outcome, so the test exercises both paths
  assert.ok(casesWithStatus > 300 && errors > 100, `cases with a status=${casesWithStatus} errors=${errors}`);
});

test('POP3 reader: an endless line is refused with a clear error', async () => {
  const reader = new LineReader(1024);
  reader.push(Buffer.alloc(5000, 0x41));
  await assert.rejects(reader.next(), Pop3ProtocolError);
});

test('SASL challenge decoder: random and truncated input gives a result, never throws', () => {
  const rand = prng(42);
  const valid = Buffer.from('{"status":"401","schemes":"bearer","scope":"mail"}').toString('base64');
  let ok = 0;
  let refused = 0;
  for (let i = 0; i < 5000; i++) {
    let text: string;
    const r = rand();
    if (r < 0.3) text = valid.slice(0, Math.floor(rand() * (valid.length + 1)));
    else if (r < 0.5) text = Buffer.from(randomInput(rand)).toString('base64');
    else if (r < 0.6) text = Buffer.from(JSON.stringify({ status: Math.floor(rand() * 600), x: rand() })).toString('base64');
    else text = randomInput(rand).toString('latin1');
    const result = decodeChallenge(text);
    if (result.ok) ok++;
    else {
      refused++;
      assert.ok(result.reason.length > 0);
    }
  }
  assert.ok(ok > 100 && refused > 100, `ok=${ok} refused=${refused}`);
});

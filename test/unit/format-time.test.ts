import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClock, formatDateTime, formatMs } from '../../shared/format-time.ts';

test('durations are rounded: whole ms under a second, tenths of seconds above', () => {
  const cases: Array<[number | undefined, string]> = [
    [119.818540999986, '120 ms'],
    [0.4, '0 ms'],
    [999.6, '1.0 s'],
    [1449.9, '1.4 s'],
    [undefined, ''],
    [Number.NaN, ''],
  ];
  for (const [ms, expected] of cases) assert.equal(formatMs(ms), expected, String(ms));
});

test('one date/time form: year first, local time with its zone', () => {
  const at = Date.UTC(2026, 0, 5, 23, 30, 9);
  assert.equal(formatDateTime(at, 0), '2026-01-05 23:30 UTC');
  assert.equal(formatDateTime(at, 60), '2026-01-06 00:30 UTC+01:00');
  assert.equal(formatDateTime(at, -330), '2026-01-05 18:00 UTC-05:30');
  assert.equal(formatDateTime(undefined), '-');
  assert.equal(formatClock(at, 0), '23:30:09');
  // Without an offset: this machine's zone, the same instant.
  assert.match(formatDateTime(at), /^\d{4}-\d\d-\d\d \d\d:\d\d UTC(?:[+-]\d\d:\d\d)?$/);
});

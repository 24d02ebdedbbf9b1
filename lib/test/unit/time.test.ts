import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatMicros, parseRfc3339Micros } from '../../src/time.js'

test('parses RFC 3339 with microseconds, offsets and no fraction', () => {
  assert.equal(parseRfc3339Micros('2026-11-24T15:08:02Z'), Date.UTC(2026, 10, 24, 15, 8, 2) * 1000)
  assert.equal(parseRfc3339Micros('2026-11-24T15:08:02.123456Z'), Date.UTC(2026, 10, 24, 15, 8, 2, 123) * 1000 + 456)
  assert.equal(parseRfc3339Micros('2026-11-24T16:08:02.5+01:00'), Date.UTC(2026, 10, 24, 15, 8, 2, 500) * 1000)
  assert.equal(parseRfc3339Micros('2026-11-24t15:08:02.123456789z'), Date.UTC(2026, 10, 24, 15, 8, 2, 123) * 1000 + 456)
})

test('rejects what is not an RFC 3339 date-time', () => {
  for (const bad of ['2026-02-30T00:00:00Z', '2026-11-24', '2026-11-24T15:08:02', 'yesterday', '2026-13-01T00:00:00Z', '2026-11-24T25:00:00Z']) {
    assert.equal(parseRfc3339Micros(bad), undefined, bad)
  }
})

test('formats microseconds as UTC with six fraction digits, before and after 1970', () => {
  assert.equal(formatMicros(Date.UTC(2026, 10, 24, 15, 8, 2, 123) * 1000 + 4), '2026-11-24T15:08:02.123004Z')
  assert.equal(formatMicros(-1), '1969-12-31T23:59:59.999999Z')
  const micros = parseRfc3339Micros('2001-02-03T04:05:06.070809Z')
  assert.equal(formatMicros(micros ?? 0), '2001-02-03T04:05:06.070809Z')
  assert.equal(formatMicros(1_000_000), '1970-01-01T00:00:01.000000Z')
  assert.equal(formatMicros(999_999), '1970-01-01T00:00:00.999999Z')
})

test('formatMicros agrees with Date for any instant, in any order (its per-second memo never leaks)', () => {
  const base = Date.UTC(2026, 10, 24, 23, 59, 59, 998) * 1000
  for (let i = 0; i < 5_000; i++) {
    const micros = base + ((i * 7_919_237) % 4_000_000) - 2_000_000
    const millis = Math.floor(micros / 1000)
    const expected = `${new Date(millis).toISOString().slice(0, 23)}${String(micros - millis * 1000).padStart(3, '0')}Z`
    assert.equal(formatMicros(micros), expected)
  }
})

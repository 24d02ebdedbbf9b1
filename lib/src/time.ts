/**
 * Timestamps travel as microseconds since the Unix epoch (Avro `timestamp-micros`), the
 * precision of Postgres `timestamptz`. JavaScript dates stop at milliseconds, so the
 * fraction is parsed and printed by hand.
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/

/** Microseconds since the epoch, or undefined when `text` is not an RFC 3339 date-time. */
export function parseRfc3339Micros(text: string): number | undefined {
  const m = RFC3339.exec(text)
  if (m === null) return undefined
  const [, date, time, fraction = '', zone = 'Z'] = m
  // Date.parse rolls impossible dates over (Feb 30 → Mar 2): check the calendar date alone first.
  const day = Date.parse(`${date}T00:00:00Z`)
  if (Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== date) return undefined
  const millis = Date.parse(`${date}T${time}${zone.toUpperCase()}`)
  if (Number.isNaN(millis)) return undefined
  const micros = millis * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6))
  return Number.isSafeInteger(micros) ? micros : undefined
}

/** `2026-11-24T15:08:02.123456Z` (always six fraction digits, always UTC). */
export function formatMicros(micros: number): string {
  const millis = Math.floor(micros / 1000)
  const iso = new Date(millis).toISOString() // 2026-11-24T15:08:02.123Z
  const sub = String(micros - millis * 1000).padStart(3, '0')
  return `${iso.slice(0, 23)}${sub}Z`
}

export function nowMicros(): number {
  return Date.now() * 1000
}

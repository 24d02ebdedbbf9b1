/**
 * Turns decoded events into lines of Postgres COPY text format. Pure: no I/O.
 */
import type { Decoded } from '../../../lib/src/avro/codec.js'
import { formatMicros } from '../../../lib/src/time.js'

export const COLUMNS = [
  'event_id', 'service', 'event_type', 'schema_version', 'schema_id', 'user_id',
  'occurred_at', 'received_at', 'kafka_partition', 'kafka_offset', 'payload',
] as const

const SPECIAL = /[\\\n\r\t]/g
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** Escapes a value for COPY text format (backslash, newline, carriage return, tab). */
export function escapeCopyText(value: string): string {
  return value.replace(SPECIAL, (c) => ESCAPES[c] ?? c)
}

/** The payload as JSON text: `json` payloads arrive as text already, records as objects. */
export function payloadJson(payload: unknown): string {
  return typeof payload === 'string' ? payload : JSON.stringify(payload)
}

export function toCopyLine({ version, value }: Decoded, partition: number, offset: string): string {
  return [
    escapeCopyText(value.event_id),
    escapeCopyText(value.service),
    escapeCopyText(value.event_type),
    String(version.version),
    String(version.id),
    value.user_id === null ? '\\N' : String(value.user_id),
    formatMicros(value.occurred_at),
    formatMicros(value.received_at),
    String(partition),
    offset,
    escapeCopyText(payloadJson(value.payload)),
  ].join('\t') + '\n'
}

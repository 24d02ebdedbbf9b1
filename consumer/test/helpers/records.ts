/** Consumed records and batches for the consumer's unit tests: real Avro values of the catalog's event types. */
import { randomUUID } from 'node:crypto'
import { loadCatalog } from '../../../lib/src/avro/catalog.js'
import { encodeRecord, type EventRecord } from '../../../lib/src/avro/codec.js'
import type { IHeaders, KafkaMessage } from '../../../lib/src/kafka/types.js'
import type { PartitionBatch } from '../../src/batch.js'

export const catalog = loadCatalog()

export function message(offset: number, value: Buffer | null, headers: IHeaders = {}): KafkaMessage {
  return { offset: String(offset), key: null, value, timestamp: '0', attributes: 0, headers }
}

/** The batch of `messages` (one partition, in offset order) as the loop hands it to a handler. */
export function batchOf(messages: readonly KafkaMessage[], allowGap = false): PartitionBatch {
  const first = BigInt(messages[0]?.offset ?? 0)
  const last = BigInt(messages.at(-1)?.offset ?? first)
  return { topic: 'events', partition: 2, messages, firstOffset: first, nextOffset: last + 1n, allowGap }
}

/** An encoded event of `eventType` (latest version), with a fresh id. */
export function encoded(eventType: string, fields: Partial<EventRecord> = {}): { readonly id: string; readonly value: Buffer } {
  const version = catalog.eventTypes.get(eventType)?.latest
  if (version === undefined) throw new Error(`no schema for ${eventType}`)
  const id = randomUUID()
  const value = encodeRecord(version, {
    event_id: id, service: 'test', event_type: eventType, occurred_at: 1_000_000, received_at: 2_000_000, user_id: null, payload: {}, ...fields,
  })
  return { id, value }
}

/** The headers producer-api writes. */
export const ourHeaders = (eventType: string, id: string): IHeaders =>
  ({ 'event-type': eventType, 'schema-version': '1', 'event-id': id, 'content-type': 'application/vnd.aurore.event+avro' })

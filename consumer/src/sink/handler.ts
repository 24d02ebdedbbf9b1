/**
 * The write of events-pg-sink, run by the batch loop (../batch.ts): decode → one transaction of
 * the store with the partition's position (../position.ts), the dead letters sent before its commit.
 */
import type { Decoder } from '../../../lib/src/avro/codec.js'
import { isPipelineError } from '../../../lib/src/errors.js'
import type { SinkMetrics } from '../../../lib/src/metrics.js'
import type { BatchWriter, PartitionBatch } from '../batch.js'
import type { DeadLetter, DeadLetters } from '../dlq.js'
import { writeAtPosition, type PositionStore } from '../position.js'
import type { CopyResult, Row } from './copy.js'
import { toCopyLine } from './rows.js'

export interface SinkWriteDeps {
  /** Postgres in production (./store.ts). */
  readonly store: PositionStore<Row, CopyResult>
  readonly decoder: Decoder
  readonly deadLetters: DeadLetters
  readonly metrics?: SinkMetrics
}

export function createSinkWrite(deps: SinkWriteDeps): BatchWriter {
  function decode({ topic, partition, messages }: PartitionBatch): { rows: Row[]; undecodable: DeadLetter[] } {
    const rows: Row[] = []
    const undecodable: DeadLetter[] = []
    for (const message of messages) {
      try {
        rows.push({ offset: BigInt(message.offset), line: toCopyLine(deps.decoder.decode(message.value), partition, message.offset) })
      } catch (err) {
        const reason = isPipelineError(err) ? err.code : 'PIPELINE_RECORD_UNDECODABLE'
        undecodable.push({ topic, partition, message, reason, detail: (err as Error).message })
      }
    }
    return { rows, undecodable }
  }

  return async (batch) => {
    const { topic, partition, messages } = batch
    // Schema ids the catalog lacks are looked up first (a registry outage is transient).
    await deps.decoder.prepare(messages.map((m) => m.value))
    const { rows, undecodable } = decode(batch)
    const started = performance.now()
    const result = await writeAtPosition(deps.store, batch, rows, async ({ rejected }) => {
      // Rare: index the batch only when Postgres refused rows.
      const byOffset = rejected.length > 0 ? new Map(messages.map((m) => [m.offset, m])) : undefined
      const letters = [
        ...undecodable,
        ...rejected.flatMap((r) => {
          const message = byOffset?.get(String(r.offset))
          return message ? [{ topic, partition, message, reason: 'PIPELINE_ROW_REJECTED', detail: `${r.code}: ${r.reason}` }] : []
        }),
      ]
      await deps.deadLetters.send(letters)
      // Counted once sent; a retried batch may count a letter again (the DLQ is at least once).
      for (const letter of letters) deps.metrics?.deadLetters.inc({ reason: letter.reason })
    })
    if (result.kind === 'written') {
      deps.metrics?.rows.inc(result.inserted)
      deps.metrics?.duplicates.inc(result.copied - result.inserted)
      deps.metrics?.batchSize.observe(messages.length)
      deps.metrics?.copyDuration.observe((performance.now() - started) / 1000)
    }
    return result
  }
}

/**
 * The eachBatch handler of events-pg-sink: decode → (dead letters) → one Postgres
 * transaction → resolve and commit the Kafka offset. It never throws: a transient failure
 * (Postgres down, connection reset, broker unavailable for the DLQ) is retried with backoff
 * while the consumer keeps its group membership, so the partition neither skips ahead nor
 * turns into a kafkajs restart loop. An unresolved batch is fetched again by kafkajs.
 */
import type { EachBatchPayload } from 'kafkajs'
import type pg from 'pg'
import type { Decoder } from '../../../lib/src/avro/codec.js'
import { isPipelineError } from '../../../lib/src/errors.js'
import type { Logger } from '../../../lib/src/logger.js'
import type { SinkMetrics } from '../../../lib/src/metrics.js'
import type { SinkConfig } from '../config.js'
import type { DeadLetter, DeadLetters } from '../dlq.js'
import { writeBatch, type Row } from './copy.js'
import { toCopyLine } from './rows.js'

export interface SinkHandlerDeps {
  readonly pool: pg.Pool
  readonly decoder: Decoder
  readonly deadLetters: DeadLetters
  readonly config: SinkConfig
  readonly logger: Logger
  readonly seek: (topic: string, partition: number, offset: bigint) => void
  readonly metrics?: SinkMetrics
  readonly sleep?: (ms: number) => Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createSinkHandler(deps: SinkHandlerDeps): (payload: EachBatchPayload) => Promise<void> {
  const sleep = deps.sleep ?? defaultSleep
  // Where we last sought each partition to: if the log no longer has that offset (retention),
  // the next batch starts later and the gap is accepted instead of seeking forever.
  const soughtTo = new Map<string, bigint>()

  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const { topic, partition, messages } = batch
    const first = messages[0]
    const last = messages.at(-1)
    if (first === undefined || last === undefined) return
    const decode = (): { rows: Row[]; undecodable: DeadLetter[] } => {
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
    const key = `${topic}:${partition}`
    const firstOffset = BigInt(first.offset)

    for (let attempt = 0; ; attempt++) {
      if (!isRunning() || isStale()) return
      let client: pg.PoolClient | undefined
      try {
        // Schema ids the catalog lacks are looked up first (a registry outage is transient).
        await deps.decoder.prepare(messages.map((m) => m.value))
        const { rows, undecodable } = decode()
        const started = performance.now()
        client = await deps.pool.connect()
        const result = await writeBatch(client, {
          group: deps.config.groupId,
          topic,
          partition,
          firstOffset,
          nextOffset: BigInt(last.offset) + 1n,
          rows,
          allowGap: soughtTo.get(key) !== undefined && (soughtTo.get(key) ?? 0n) < firstOffset,
        }, async (rejected) => {
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
        client.release()
        client = undefined
        if (result.kind === 'behind') {
          deps.logger.warn({ topic, partition, stored: String(result.storedNext), fetched: first.offset }, 'postgres position is behind the fetched batch: seeking')
          soughtTo.set(key, result.storedNext)
          deps.seek(topic, partition, result.storedNext)
          return
        }
        soughtTo.delete(key)
        deps.metrics?.rows.inc(result.inserted)
        deps.metrics?.duplicates.inc(result.copied - result.inserted)
        deps.metrics?.batchSize.observe(messages.length)
        deps.metrics?.copyDuration.observe((performance.now() - started) / 1000)
        break
      } catch (err) {
        client?.release(err as Error)
        deps.metrics?.retries.inc()
        const delay = Math.min(deps.config.retryMaxMs, deps.config.retryMinMs * 2 ** Math.min(attempt, 16))
        deps.logger.warn({ err, topic, partition, attempt, delay }, 'sink write failed: retrying')
        await sleep(delay)
        try {
          await heartbeat()
        } catch (hbErr) {
          deps.logger.info({ err: hbErr, topic, partition }, 'heartbeat failed while retrying: leaving the batch to the next owner')
          return
        }
      }
    }
    resolveOffset(last.offset)
    try {
      await commitOffsetsIfNecessary()
      await heartbeat()
    } catch (err) {
      // Postgres holds the position; the Kafka commit only feeds lag monitoring.
      deps.logger.warn({ err, topic, partition }, 'kafka offset commit failed (postgres has the position)')
    }
  }
}

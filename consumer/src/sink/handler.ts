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
import type { SinkConfig } from '../config.js'
import type { DeadLetter, DeadLetters } from '../dlq.js'
import { writeBatch, type Row, type WriteResult } from './copy.js'
import { toCopyLine } from './rows.js'

export interface SinkHandlerDeps {
  readonly pool: pg.Pool
  readonly decoder: Decoder
  readonly deadLetters: DeadLetters
  readonly config: SinkConfig
  readonly logger: Logger
  readonly seek: (topic: string, partition: number, offset: bigint) => void
  readonly onWritten?: (info: { partition: number; result: WriteResult; records: number; ms: number }) => void
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
    const started = performance.now()
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
    const byOffset = new Map(messages.map((m) => [m.offset, m]))
    const key = `${topic}:${partition}`
    const firstOffset = BigInt(first.offset)

    for (let attempt = 0; ; attempt++) {
      if (!isRunning() || isStale()) return
      let client: pg.PoolClient | undefined
      try {
        client = await deps.pool.connect()
        const result = await writeBatch(client, {
          group: deps.config.groupId,
          topic,
          partition,
          firstOffset,
          nextOffset: BigInt(last.offset) + 1n,
          rows,
          allowGap: soughtTo.get(key) !== undefined && (soughtTo.get(key) ?? 0n) < firstOffset,
        }, (rejected) => deps.deadLetters.send([
          ...undecodable,
          ...rejected.flatMap((r) => {
            const message = byOffset.get(String(r.offset))
            return message ? [{ topic, partition, message, reason: 'PIPELINE_ROW_REJECTED', detail: `${r.code}: ${r.reason}` }] : []
          }),
        ]))
        client.release()
        client = undefined
        if (result.kind === 'behind') {
          deps.logger.warn({ topic, partition, stored: String(result.storedNext), fetched: first.offset }, 'postgres position is behind the fetched batch: seeking')
          soughtTo.set(key, result.storedNext)
          deps.seek(topic, partition, result.storedNext)
          return
        }
        soughtTo.delete(key)
        deps.onWritten?.({ partition, result, records: messages.length, ms: performance.now() - started })
        break
      } catch (err) {
        client?.release(err as Error)
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

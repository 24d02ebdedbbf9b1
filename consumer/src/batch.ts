/**
 * The eachBatch loop of a consumer group whose position lives in its own database
 * (events-pg-sink in Postgres, user-recap-projector in MySQL): write the batch together with the
 * partition's next offset in one transaction, then resolve and commit the Kafka offset.
 *
 * It never throws: a transient failure (database down, connection reset, broker unavailable for
 * the DLQ) is retried with backoff while the consumer keeps its group membership, so the
 * partition neither skips ahead nor turns into a kafkajs restart loop; a permanent one (a missing
 * table, refused credentials: ./failure.ts) stops the consumer through onFatal instead of spinning. When the database is
 * behind the fetched batch (Kafka's committed offset ran ahead of it), the partition is sought
 * back to the database's position.
 */
import type { EachBatchPayload, KafkaMessage } from '../../lib/src/kafka/types.js'
import type { Logger } from '../../lib/src/logger.js'
import { classifyFailure } from './failure.js'
import type { BatchPosition, PositionOutcome } from './position.js'

/** One partition's fetched batch: its position and its records. */
export interface PartitionBatch extends BatchPosition {
  readonly messages: readonly KafkaMessage[]
}

/** Writes the batch's effects and position in one transaction (../position.ts: writeAtPosition), or reports the stored position. */
export type BatchWriter = (batch: PartitionBatch) => Promise<PositionOutcome<unknown>>

export interface BatchLoopDeps {
  readonly write: BatchWriter
  readonly retry: { readonly minMs: number; readonly maxMs: number }
  readonly logger: Logger
  readonly seek: (topic: string, partition: number, offset: bigint) => void
  readonly onRetry?: () => void
  /** A permanent failure of the store (./failure.ts): the consumer must stop; the batch is left unresolved. */
  readonly onFatal: (err: unknown) => void
  /** Aborted when the process shuts down: a batch waiting in backoff gives up at once (unwritten, unresolved). */
  readonly signal?: AbortSignal
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

/** Resolves after `ms`, or as soon as `signal` aborts. */
function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

export function createBatchLoop(deps: BatchLoopDeps): (payload: EachBatchPayload) => Promise<void> {
  const sleep = deps.sleep ?? defaultSleep
  const aborted = (): boolean => deps.signal?.aborted === true
  // Where we last sought each partition to: if the log no longer has that offset (retention),
  // the next batch starts later and the gap is accepted instead of seeking forever.
  const soughtTo = new Map<string, bigint>()

  return async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
    const { topic, partition, messages } = batch
    const first = messages[0]
    const last = messages.at(-1)
    if (first === undefined || last === undefined) return
    const key = `${topic}:${partition}`
    const firstOffset = BigInt(first.offset)
    const sought = soughtTo.get(key)
    const work: PartitionBatch = {
      topic, partition, messages, firstOffset,
      nextOffset: BigInt(last.offset) + 1n,
      allowGap: sought !== undefined && sought < firstOffset,
    }

    for (let attempt = 0; ; attempt++) {
      if (!isRunning() || isStale() || aborted()) return
      try {
        const outcome = await deps.write(work)
        if (outcome.kind === 'behind') {
          deps.logger.warn({ topic, partition, stored: String(outcome.storedNext), fetched: first.offset }, 'database position is behind the fetched batch: seeking')
          soughtTo.set(key, outcome.storedNext)
          deps.seek(topic, partition, outcome.storedNext)
          return
        }
        soughtTo.delete(key)
        break
      } catch (err) {
        if (classifyFailure(err) === 'permanent') {
          deps.logger.fatal({ err, topic, partition }, 'the store refuses every write of this batch for a reason no retry mends: stopping (fix it, then restart)')
          deps.onFatal(err)
          return
        }
        deps.onRetry?.()
        const delay = Math.min(deps.retry.maxMs, deps.retry.minMs * 2 ** Math.min(attempt, 16))
        deps.logger.warn({ err, topic, partition, attempt, delay }, 'batch write failed: retrying')
        await sleep(delay, deps.signal)
        if (aborted()) {
          deps.logger.info({ topic, partition, attempt }, 'shutting down during a retry: the batch is left to the next owner')
          return
        }
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
      // The database holds the position; the Kafka commit only feeds lag monitoring.
      deps.logger.warn({ err, topic, partition }, 'kafka offset commit failed (the database has the position)')
    }
  }
}

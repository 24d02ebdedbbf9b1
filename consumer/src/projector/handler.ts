/**
 * The write of user-recap-projector, run by the batch loop (../batch.ts): pick the trx.*
 * records (by their event-type header, so other records are never decoded), fold them into
 * MySQL with the partition's position (../position.ts), then invalidate the touched users' cache
 * entries and settle their marks in the outbox (./invalidations.ts): what fails there is left to
 * the outbox's drain.
 *
 * Records that cannot be decoded are counted and passed over: events-pg-sink dead-letters
 * them, and two groups sending the same letters would only double the DLQ.
 */
import type { Redis } from 'ioredis'
import type { Decoder } from '../../../lib/src/avro/codec.js'
import type { KafkaMessage } from '../../../lib/src/kafka/types.js'
import type { Logger } from '../../../lib/src/logger.js'
import type { ProjectorMetrics } from '../../../lib/src/metrics.js'
import { invalidateUsers } from '../../../lib/src/read-model.js'
import type { BatchWriter } from '../batch.js'
import type { InvalidationOutbox } from './invalidations.js'
import { writeAtPosition, type PositionStore } from '../position.js'
import { isTrxType, toTrxEvent, type TrxEvent } from './fold.js'
import type { Projection, TrxAt } from './store.js'

export interface ProjectorWriteDeps {
  /** MySQL in production (./store.ts). */
  readonly store: PositionStore<TrxAt, Projection>
  readonly decoder: Decoder
  /** Cache invalidation; undefined: no cache in front of the read model. */
  readonly redis?: Pick<Redis, 'multi'>
  /** Where the marks of a dropped entry go; undefined: nothing marks (tests of the fold alone). */
  readonly outbox?: Pick<InvalidationOutbox, 'settle'>
  readonly logger: Logger
  readonly metrics?: ProjectorMetrics
}

function eventType(message: KafkaMessage): string | undefined {
  const header = message.headers?.['event-type']
  return Buffer.isBuffer(header) ? header.toString() : typeof header === 'string' ? header : undefined
}

export function createProjectorWrite(deps: ProjectorWriteDeps): BatchWriter {
  async function invalidate(users: readonly number[], marks: Buffer | undefined): Promise<void> {
    if (deps.redis === undefined || users.length === 0) return
    try {
      await invalidateUsers(deps.redis, users)
      deps.metrics?.invalidations.inc({ result: 'ok' }, users.length)
    } catch (err) {
      // Committed already: never retried into a second fold. The marks stay, and the outbox's
      // drain drops the entries once Redis answers.
      deps.metrics?.invalidations.inc({ result: 'failed' }, users.length)
      deps.logger.warn({ err, users: users.length }, 'cache invalidation failed: left to the outbox drain')
      return
    }
    if (marks === undefined || deps.outbox === undefined) return
    await deps.outbox.settle(users, marks).catch((err: unknown) => deps.logger.warn({ err, users: users.length }, 'settling invalidation marks failed: the drain removes them'))
  }

  return async (batch) => {
    const trx = batch.messages.filter((m) => {
      const type = eventType(m)
      return type === undefined || isTrxType(type) // no header: decode to find out
    })
    await deps.decoder.prepare(trx.map((m) => m.value))
    const events: TrxAt[] = []
    let undecodable = 0
    for (const m of trx) {
      let event: TrxEvent | undefined
      try {
        event = toTrxEvent(deps.decoder.decode(m.value).value)
      } catch {
        undecodable++
        continue
      }
      if (event !== undefined) events.push({ offset: BigInt(m.offset), event })
    }
    const started = performance.now()
    const result = await writeAtPosition(deps.store, batch, events)
    if (result.kind === 'written') {
      deps.metrics?.batchDuration.observe((performance.now() - started) / 1000)
      deps.metrics?.events.inc({ outcome: 'applied' }, result.applied)
      deps.metrics?.events.inc({ outcome: 'duplicate' }, result.duplicates)
      deps.metrics?.events.inc({ outcome: 'skipped' }, batch.messages.length - events.length - undecodable)
      deps.metrics?.events.inc({ outcome: 'undecodable' }, undecodable)
      await invalidate(result.users, result.marks)
    }
    return result
  }
}

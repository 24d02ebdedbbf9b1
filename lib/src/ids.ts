/**
 * Event ids: UUIDv7 (time-ordered, so the events primary key stays append-friendly) from the
 * uuid package, fed from a pooled random buffer. uuid's own RNG calls crypto.getRandomValues
 * once per id, which took 12 % of producer-api's CPU at 33,000 events/s (a --cpu-prof of
 * `npm run bench -- ingest-max`); one randomFillSync per 256 ids costs next to nothing.
 */
import { randomFillSync } from 'node:crypto'
import { v7 } from 'uuid'

const IDS_PER_FILL = 256
const pool = Buffer.allocUnsafe(16 * IDS_PER_FILL)
let next = IDS_PER_FILL

function pooledRandom(): Uint8Array {
  if (next === IDS_PER_FILL) {
    randomFillSync(pool)
    next = 0
  }
  const bytes = pool.subarray(next * 16, next * 16 + 16)
  next++
  return bytes
}

export function newEventId(): string {
  return v7({ rng: pooledRandom })
}

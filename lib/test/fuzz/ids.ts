/**
 * Event ids for fuzzed requests: valid UUIDs (version 4, variant 10) made of a run's nonce and
 * a counter, so that every request of a run has ids of its own and a run's ids are found again
 * afterwards (`--live`: in Postgres).
 */
import { randomBytes } from 'node:crypto'

export interface IdSource {
  /** Eight hex digits, the first group of every id of the run. */
  readonly nonce: string
  next(): string
}

export function fuzzIds(nonce: string = randomBytes(4).toString('hex')): IdSource {
  let counter = 0
  return {
    nonce,
    next() {
      const c = (counter++).toString(16).padStart(22, '0')
      return `${nonce}-${c.slice(0, 4)}-4${c.slice(4, 7)}-8${c.slice(7, 10)}-${c.slice(10, 22)}`
    },
  }
}

/**
 * An in-memory PositionStore (consumer/src/position.ts) for unit tests: like a database, what a
 * transaction writes (its records and the partition's position) is seen only once it commits,
 * and a rollback leaves nothing behind. `effects` decides what a write stores and returns.
 */
import type { AtOffset, PositionStore } from '../../src/position.js'

export interface Effects<R, W> {
  /** What the store keeps of the records it is given (those at or above the position). */
  readonly stored: readonly R[]
  readonly result: W
}

export interface MemoryStore<R extends AtOffset, W> extends PositionStore<R, W> {
  /** Committed records, in the order written. */
  readonly records: readonly R[]
  /** The committed position of (topic, partition); undefined: no row. */
  position(topic: string, partition: number): bigint | undefined
  setPosition(topic: string, partition: number, nextOffset: bigint): void
  /** The next `times` writes throw `err` (after the position is locked: the transaction rolls back). */
  failWrites(err: unknown, times?: number): void
  /** Transactions begun and not yet ended; connections discarded after a failure. */
  readonly stats: { readonly open: number; readonly discarded: number; readonly commits: number }
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`

export function createMemoryStore<R extends AtOffset, W>(effects: (records: readonly R[]) => Effects<R, W>): MemoryStore<R, W> {
  const records: R[] = []
  const positions = new Map<string, bigint>()
  const failures: unknown[] = []
  const stats = { open: 0, discarded: 0, commits: 0 }
  return {
    records,
    stats,
    position: (topic, partition) => positions.get(keyOf(topic, partition)),
    setPosition: (topic, partition, next) => { positions.set(keyOf(topic, partition), next) },
    failWrites(err, times = 1) {
      for (let i = 0; i < times; i++) failures.push(err)
    },
    async begin() {
      stats.open++
      const staged: R[] = []
      const stagedPositions = new Map<string, bigint>()
      let ended = false
      const end = () => {
        if (ended) throw new Error('transaction ended twice')
        ended = true
        stats.open--
      }
      return {
        async lockPosition(topic, partition) {
          return positions.get(keyOf(topic, partition)) ?? 0n
        },
        async write(batch) {
          if (failures.length > 0) throw failures.shift()
          const { stored, result } = effects(batch)
          staged.push(...stored)
          return result
        },
        async storePosition(topic, partition, next) {
          stagedPositions.set(keyOf(topic, partition), next)
        },
        async commit() {
          end()
          records.push(...staged)
          for (const [k, v] of stagedPositions) positions.set(k, v)
          stats.commits++
        },
        async rollback(failure) {
          end()
          if (failure !== undefined) stats.discarded++
        },
      }
    },
  }
}

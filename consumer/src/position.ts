/**
 * The position-in-the-database protocol, in one place, for every consumer group whose
 * partition positions live beside its data (events-pg-sink in Postgres, user-recap-projector in
 * MySQL). In one transaction of the store: read and lock the partition's stored next offset (no
 * row is offset 0, the log's start: a restored or truncated database never skips what Kafka's
 * committed offset ran past); if the batch starts after it, write nothing and report "behind"
 * (the batch loop seeks back); else write the effects of the records at or above it, store the
 * batch's next offset if it moves forward, and commit. The lock makes two owners of a partition
 * (during a rebalance) write one after the other, the second skipping what the first wrote.
 */

/** Where one partition's batch sits in the log: the one position type of the loop, the handlers and the stores. */
export interface BatchPosition {
  readonly topic: string
  readonly partition: number
  readonly firstOffset: bigint
  /** Last offset of the batch + 1: stored as the partition's position. */
  readonly nextOffset: bigint
  /** Write even if the store expects an earlier offset (those records are gone from the log). */
  readonly allowGap: boolean
}

/** A record of a batch, by its offset. */
export interface AtOffset {
  readonly offset: bigint
}

export type PositionOutcome<W> =
  | ({ readonly kind: 'written' } & W)
  | { readonly kind: 'behind'; readonly storedNext: bigint }

/** One open transaction of a PositionStore, on a connection of its own until commit or rollback. */
export interface PositionTransaction<R extends AtOffset, W> {
  /** Reads and locks the partition's stored next offset: 0 (the log's start) when the store has no row for it. */
  lockPosition(topic: string, partition: number): Promise<bigint>
  /** Writes the effects of `records` (the batch's records at or above the stored position; maybe none). */
  write(records: readonly R[]): Promise<W>
  storePosition(topic: string, partition: number, nextOffset: bigint): Promise<void>
  commit(): Promise<void>
  /** Ends the transaction, nothing written. With `failure` (after an error) it never throws and discards the connection. */
  rollback(failure?: unknown): Promise<void>
}

/** What a PositionStore is made of: its connections, and the consumer group whose positions it keeps. */
export interface PositionStoreDeps<Pool> {
  readonly pool: Pool
  readonly group: string
}

/** A store that keeps each partition's position in the same transaction as the data. */
export interface PositionStore<R extends AtOffset, W> {
  begin(): Promise<PositionTransaction<R, W>>
}

/**
 * Writes `records` of the batch at `at` with its position, in one transaction of `store`.
 * `beforeCommit` runs in the transaction once the effects are written (the DLQ hand-off): if it
 * throws, nothing is committed. Any error rolls back and propagates (the caller retries).
 */
export async function writeAtPosition<R extends AtOffset, W extends object>(
  store: PositionStore<R, W>,
  at: BatchPosition,
  records: readonly R[],
  beforeCommit?: (written: W) => Promise<void>,
): Promise<PositionOutcome<W>> {
  const tx = await store.begin()
  try {
    const stored = await tx.lockPosition(at.topic, at.partition)
    if (stored < at.firstOffset && !at.allowGap) {
      await tx.rollback()
      return { kind: 'behind', storedNext: stored }
    }
    const written = await tx.write(records.filter((r) => r.offset >= stored))
    if (at.nextOffset > stored) await tx.storePosition(at.topic, at.partition, at.nextOffset)
    await beforeCommit?.(written)
    await tx.commit()
    return { ...written, kind: 'written' }
  } catch (err) {
    await tx.rollback(err)
    throw err
  }
}

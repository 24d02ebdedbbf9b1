/**
 * events-pg-sink's PositionStore (../position.ts): a transaction on a pooled Postgres
 * connection, the partition's position in `sink_offsets`, the rows in `events` (./copy.ts).
 */
import type pg from 'pg'
import type { PositionStore, PositionStoreDeps } from '../position.js'
import { copyBatch, type CopyResult, type Row } from './copy.js'

export function createSinkStore({ pool, group }: PositionStoreDeps<pg.Pool>): PositionStore<Row, CopyResult> {
  return {
    async begin() {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
      } catch (err) {
        client.release(err as Error)
        throw err
      }
      return {
        async lockPosition(topic, partition) {
          const key = [group, topic, partition]
          await client.query(
            `INSERT INTO sink_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, 0)
             ON CONFLICT DO NOTHING`, key)
          const locked = await client.query<{ next_offset: string }>(
            'SELECT next_offset FROM sink_offsets WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE', key)
          return BigInt(locked.rows[0]?.next_offset ?? '0')
        },
        write: (rows) => copyBatch(client, rows),
        async storePosition(topic, partition, nextOffset) {
          await client.query(
            'UPDATE sink_offsets SET next_offset = $4, updated_at = now() WHERE consumer_group = $1 AND topic = $2 AND partition = $3',
            [group, topic, partition, String(nextOffset)])
        },
        async commit() {
          await client.query('COMMIT')
          client.release()
        },
        async rollback(failure) {
          if (failure === undefined) {
            await client.query('ROLLBACK')
            client.release()
            return
          }
          await client.query('ROLLBACK').catch(() => undefined) // the connection may be gone: it is discarded below
          client.release(failure instanceof Error ? failure : new Error(String(failure)))
        },
      }
    },
  }
}

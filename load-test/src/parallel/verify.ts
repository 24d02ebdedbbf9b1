/** Checks a run against Postgres: every acknowledged id exactly once, and what else got in. */
import type pg from 'pg'
import type { Done } from './messages.js'

export interface ClientVerification {
  readonly index: number
  readonly service: string
  readonly acked: number
  readonly unacked: number
  /** Acknowledged (202) but not in Postgres. */
  readonly lost: number
  /** In Postgres more than once (the primary key forbids it; checked anyway). */
  readonly duplicated: number
  /** Never acknowledged, yet stored (a request that timed out client-side, say). */
  readonly unackedPresent: number
}

const CHUNK = 10_000

async function presence(pool: pg.Pool, ids: readonly string[]): Promise<{ present: number; duplicated: number }> {
  let present = 0
  let duplicated = 0
  for (let i = 0; i < ids.length; i += CHUNK) {
    const { rows } = await pool.query<{ present: number; duplicated: number }>(
      `SELECT count(*)::int AS present, count(*) FILTER (WHERE n > 1)::int AS duplicated
       FROM (SELECT event_id, count(*) AS n FROM events WHERE event_id = ANY($1::uuid[]) GROUP BY event_id) s`,
      [ids.slice(i, i + CHUNK)])
    present += rows[0]?.present ?? 0
    duplicated += rows[0]?.duplicated ?? 0
  }
  return { present, duplicated }
}

export async function verify(pool: pg.Pool, clients: readonly Done[]): Promise<ClientVerification[]> {
  const out: ClientVerification[] = []
  for (const c of clients) {
    const acked = await presence(pool, c.acked)
    const unacked = await presence(pool, c.unacked)
    out.push({
      index: c.index, service: c.service, acked: c.acked.length, unacked: c.unacked.length,
      lost: c.acked.length - acked.present, duplicated: acked.duplicated + unacked.duplicated, unackedPresent: unacked.present,
    })
  }
  return out.sort((a, b) => a.index - b.index)
}

/**
 * Loads the generated users (./users.ts) straight into the read model, as a fixture beside
 * the projection:
 *
 * - The fixture is users 1..N of one seed, recorded in `read_model_fixtures` with how far the
 *   load got. The same command again is a no-op; a larger N, or a run after an interruption,
 *   loads only the users still missing; another seed is refused (drop the fixture first with
 *   `read-model:rebuild -- --drop-generated`).
 * - Users are loaded in chunks, each one transaction with `LOAD DATA LOCAL INFILE` (the rows
 *   are streamed from memory, never written to a file) and the fixture's progress, so a crash
 *   leaves whole chunks only.
 * - A generated row is the fold of the user's past transactions, so it is a delta like any
 *   batch of the projector's (sums, minimums, maximums): the projector's events and the fixture
 *   add up in any order. Each chunk fences the projector out (it locks every projector_offsets
 *   row, as each projector transaction does first), then looks which of its users the read
 *   model holds already (folded from events before the fixture came): those get their
 *   generated delta added with the projector's own upsert (./../../../consumer/src/projector/store.ts
 *   addDeltas) and their cache entries invalidated; every other user is one plain LOAD DATA row,
 *   its categories in the row (`fixture_categories`, turned into category rows by the projector
 *   on the user's first event: consumer/src/projector/fixture.ts).
 */
import { Readable } from 'node:stream'
import type { Redis } from 'ioredis'
import type mysql from 'mysql2/promise'
import { invalidateUsers } from '../../../lib/src/read-model.js'
import type { UserDelta } from '../../../consumer/src/projector/fold.js'
import { addDeltas } from '../../../consumer/src/projector/store.js'
import { DATA_COLUMNS, encodeChunk, type Chunk } from './tsv.js'
import { BUCKETS, generateUser, type GeneratedUser } from './users.js'

/** Bumped whenever generateUser changes what it makes for a seed. */
export const GENERATOR_VERSION = 1
export const FIXTURE_NAME = 'generated-users'
export const DEFAULT_SEED = 20_251_202

export interface FixtureRecord {
  readonly seed: number
  readonly generator: number
  readonly users: number
  /** The loaded ranges of user ids, in order. */
  readonly loaded: readonly (readonly [number, number])[]
  readonly complete: boolean
}

/** Refused: the read model holds a fixture that another seed or generator made. */
export class FixtureConflictError extends Error {
  constructor(readonly recorded: FixtureRecord) {
    super(`the read model holds ${recorded.users.toLocaleString('en')} generated users of seed ${recorded.seed} (generator ${recorded.generator}); ` +
      'drop them first with `npm run read-model:rebuild -- --drop-generated`, or pass --seed ' + String(recorded.seed))
  }
}

export interface LoadProgress {
  readonly loadedUsers: number
  readonly totalUsers: number
  readonly rows: number
}

export interface LoadReport {
  readonly fixture: FixtureRecord
  /** Users loaded by this run (0: the fixture was there already). */
  readonly loadedUsers: number
  readonly rows: number
  /** Users that had rows from events already; their generated delta was added to them. */
  readonly merged: number
  /** Merged users whose cache entry could not be invalidated (Redis away): it expires with its TTL. */
  readonly uninvalidated: number
  readonly seconds: number
}

export interface LoadDeps {
  /** A pool created with `localFiles: true` and at least `parallel` connections. */
  readonly pool: mysql.Pool
  /** Cache invalidation of merged users; undefined: no cache in front of the read model. */
  readonly redis?: Pick<Redis, 'multi'>
  readonly onProgress?: (p: LoadProgress) => void
}

export interface LoadOptions {
  readonly seed: number
  readonly users: number
  /** Users per transaction. */
  readonly chunkUsers?: number
  /** Chunks loaded at once, each on its own connection (MariaDB parses a LOAD DATA on one core). */
  readonly parallel?: number
}

export async function readFixture(conn: Pick<mysql.Pool, 'query'>): Promise<FixtureRecord | undefined> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT seed, generator, users, completed_at FROM read_model_fixtures WHERE name = ?', [FIXTURE_NAME])
  const r = rows[0]
  if (r === undefined) return undefined
  const [chunks] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT first_user, last_user FROM read_model_fixture_chunks WHERE name = ? ORDER BY first_user', [FIXTURE_NAME])
  return {
    seed: Number(r.seed), generator: Number(r.generator), users: Number(r.users), complete: r.completed_at !== null,
    loaded: chunks.map((c) => [Number(c.first_user), Number(c.last_user)] as const),
  }
}

/** The ranges of 1..users not in `loaded`, cut into chunks of at most `size` users. */
export function missingChunks(users: number, loaded: readonly (readonly [number, number])[], size: number): [number, number][] {
  const out: [number, number][] = []
  let next = 1
  const cut = (from: number, to: number): void => {
    for (let a = from; a <= to; a += size) out.push([a, Math.min(to, a + size - 1)])
  }
  for (const [first, last] of [...loaded].sort((a, b) => a[0] - b[0])) {
    if (first > next) cut(next, Math.min(first - 1, users))
    next = Math.max(next, last + 1)
  }
  if (next <= users) cut(next, users)
  return out
}

function toDelta(u: GeneratedUser): UserDelta {
  return {
    userId: u.userId, trxCount: u.trxCount, totalAmount: u.totalAmount, refundCount: u.refundCount, refundedAmount: u.refundedAmount,
    firstTrxAt: u.firstTrxAt, lastTrxAt: u.lastTrxAt,
    categories: new Map(u.categories.map((c) => [c.category, { trxCount: c.trxCount, amount: c.amount }])),
  }
}

const loadSql = (table: string, columns: readonly string[]): string =>
  `LOAD DATA LOCAL INFILE 'generated' INTO TABLE ${table} CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (${columns.join(', ')})`

/** mysql2 sends each piece of the stream as one packet: pieces stay far below max_allowed_packet. */
function* pieces(bytes: Buffer, size = 1 << 20): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

/** `bytes` (tab-separated rows of `columns`) into `table` with LOAD DATA LOCAL, streamed from memory. */
export async function loadData(conn: Pick<mysql.PoolConnection, 'query'>, table: string, columns: readonly string[], bytes: Buffer): Promise<void> {
  if (bytes.length === 0) return
  await conn.query({ sql: loadSql(table, columns), infileStreamFactory: () => Readable.from(pieces(bytes)) })
}

/**
 * One chunk in one transaction: fence the projector, find the users already there, load the
 * others, merge those, record the chunk. The fence is a shared lock on every projector_offsets
 * row: the projector's own first step (FOR UPDATE) waits for it, other chunks' fences do not.
 */
async function loadChunk(conn: mysql.PoolConnection, seed: number, chunk: Chunk): Promise<{ rows: number; merged: number[] }> {
  await conn.beginTransaction()
  try {
    await conn.query('SELECT consumer_group FROM projector_offsets LOCK IN SHARE MODE')
    const [present] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT user_id FROM user_recap_data WHERE user_id BETWEEN ? AND ?', [chunk.firstUser, chunk.lastUser])
    const merged = present.map((r) => Number(r.user_id))
    // Rare: only users folded from events before the fixture came. Their chunk is made again without them.
    const rows = merged.length === 0 ? chunk : encodeChunk(seed, chunk.firstUser, chunk.lastUser, new Set(merged))
    await loadData(conn, 'user_recap_data', DATA_COLUMNS, rows.data)
    await addDeltas(conn, merged.map((id) => toDelta(generateUser(seed, id))))
    await conn.query('INSERT INTO read_model_fixture_chunks (name, first_user, last_user) VALUES (?, ?, ?)', [FIXTURE_NAME, chunk.firstUser, chunk.lastUser])
    await conn.commit()
    return { rows: rows.users + merged.length, merged }
  } catch (err) {
    await conn.rollback().catch(() => undefined)
    throw err
  }
}

/** Deadlock or lock wait timeout: the chunk's transaction was rolled back whole and can run again. */
const retriable = (err: unknown): boolean => typeof err === 'object' && err !== null && 'errno' in err && (err.errno === 1213 || err.errno === 1205)

/** Makes a chunk in slices, yielding between them so that the LOAD DATA in flight keeps streaming. */
async function makeChunk(seed: number, first: number, last: number): Promise<Chunk> {
  const SLICE = 20_000
  const parts: Chunk[] = []
  for (let a = first; a <= last; a += SLICE) {
    parts.push(encodeChunk(seed, a, Math.min(last, a + SLICE - 1)))
    await new Promise((r) => setImmediate(r))
  }
  return {
    firstUser: first, lastUser: last,
    data: Buffer.concat(parts.map((p) => p.data)), users: parts.reduce((s, p) => s + p.users, 0),
  }
}

/** Chunks made one after the other, `ahead` of the taker, so that MariaDB never waits for the generator. */
function chunkSource(seed: number, ranges: readonly [number, number][], ahead: number): () => Promise<Chunk> | undefined {
  const made: Promise<Chunk>[] = []
  let index = 0
  let chain: Promise<unknown> = Promise.resolve()
  const make = (): void => {
    const range = ranges[index++]
    if (range === undefined) return
    const next = chain.then(() => makeChunk(seed, range[0], range[1]))
    chain = next.catch(() => undefined)
    made.push(next)
  }
  for (let i = 0; i < ahead; i++) make()
  return () => {
    const next = made.shift()
    make()
    return next
  }
}

/**
 * `ranges` in `lanes` contiguous runs: each lane appends at the end of its own part of the
 * B-trees (lanes taking turns over adjacent chunks would split pages in the middle).
 */
export function splitLanes<T>(ranges: readonly T[], lanes: number): T[][] {
  const size = Math.ceil(ranges.length / lanes)
  return Array.from({ length: lanes }, (_, i) => ranges.slice(i * size, (i + 1) * size)).filter((r) => r.length > 0)
}

/**
 * Invalidates `users` a thousand per MULTI (a merge can touch many). The rows are committed
 * already: a failure is counted and reported, never a reason to fail the load.
 */
async function invalidateInSlices(redis: Pick<Redis, 'multi'>, users: readonly number[]): Promise<number> {
  let failed = 0
  for (let i = 0; i < users.length; i += 1000) {
    const slice = users.slice(i, i + 1000)
    await invalidateUsers(redis, slice).catch(() => { failed += slice.length })
  }
  return failed
}

/** Loads users 1..options.users of options.seed, or those of them that are missing. */
export async function loadGeneratedUsers(deps: LoadDeps, options: LoadOptions): Promise<LoadReport> {
  const started = performance.now()
  const chunkUsers = options.chunkUsers ?? 100_000
  const parallel = options.parallel ?? 2
  const recorded = await readFixture(deps.pool)
  if (recorded !== undefined && (recorded.seed !== options.seed || recorded.generator !== GENERATOR_VERSION)) throw new FixtureConflictError(recorded)
  const target = Math.max(options.users, recorded?.users ?? 0)
  if (recorded === undefined) {
    // Chunk records without their fixture (tables emptied by hand) describe nothing: start clean.
    await deps.pool.query('DELETE FROM read_model_fixture_chunks WHERE name = ?', [FIXTURE_NAME])
    await deps.pool.query('INSERT INTO read_model_fixtures (name, seed, generator, users) VALUES (?, ?, ?, ?)',
      [FIXTURE_NAME, options.seed, GENERATOR_VERSION, target])
  } else if (target > recorded.users) {
    await deps.pool.query('UPDATE read_model_fixtures SET users = ?, completed_at = NULL WHERE name = ?', [target, FIXTURE_NAME])
  }
  const ranges = missingChunks(target, recorded?.loaded ?? [], chunkUsers)
  const totalUsers = ranges.reduce((s, [a, b]) => s + b - a + 1, 0)
  let loadedUsers = 0
  let rows = 0
  const merged: number[] = []
  const lane = async (own: [number, number][]): Promise<void> => {
    const take = chunkSource(options.seed, own, 2)
    const conn = await deps.pool.getConnection()
    try {
      for (let next = take(); next !== undefined; next = take()) {
        const chunk = await next
        for (let attempt = 1; ; attempt++) {
          try {
            const done = await loadChunk(conn, options.seed, chunk)
            rows += done.rows
            merged.push(...done.merged)
            break
          } catch (err) {
            if (!retriable(err) || attempt >= 5) throw err
          }
        }
        loadedUsers += chunk.lastUser - chunk.firstUser + 1
        deps.onProgress?.({ loadedUsers, totalUsers, rows })
      }
    } finally {
      conn.release()
    }
  }
  await Promise.all(splitLanes(ranges, parallel).map(lane))
  const uninvalidated = deps.redis === undefined ? 0 : await invalidateInSlices(deps.redis, merged)
  await deps.pool.query('UPDATE read_model_fixtures SET completed_at = COALESCE(completed_at, CURRENT_TIMESTAMP(6)) WHERE name = ?', [FIXTURE_NAME])
  const fixture = await readFixture(deps.pool)
  if (fixture === undefined) throw new Error('read_model_fixtures lost its row during the load')
  return { fixture, loadedUsers, rows, merged: merged.length, uninvalidated, seconds: (performance.now() - started) / 1000 }
}

export interface BucketCount {
  readonly bucket: string
  readonly users: number
  readonly avgTrxCount: number
  readonly avgTotalAmount: number
}

/** The old verification SQL: users per trx_count bucket, over the whole read model. */
export async function bucketDistribution(pool: Pick<mysql.Pool, 'query'>): Promise<BucketCount[]> {
  const cases = BUCKETS.map((b) => (b.label === '201+' ? `ELSE '${b.label}'` : `WHEN trx_count <= ${b.max} THEN '${b.label}'`)).join(' ')
  const [rows] = await pool.query<mysql.RowDataPacket[]>(
    `SELECT CASE ${cases} END AS bucket, COUNT(*) AS users, AVG(trx_count) AS avg_trx, AVG(total_amount) AS avg_amount
     FROM user_recap_data GROUP BY bucket`)
  const byLabel = new Map(rows.map((r) => [String(r.bucket), r]))
  return BUCKETS.map((b) => {
    const r = byLabel.get(b.label)
    return { bucket: b.label, users: Number(r?.users ?? 0), avgTrxCount: Number(r?.avg_trx ?? 0), avgTotalAmount: Number(r?.avg_amount ?? 0) }
  })
}

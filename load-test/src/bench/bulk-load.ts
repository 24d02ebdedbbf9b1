/**
 * generate:test-data against its ceiling, in one run: the same rows (made beforehand, in
 * memory) loaded with plain LOAD DATA LOCAL in the same chunks over the same connections, with
 * nothing of ours around it (no generator, no fence, no bookkeeping). Each into an empty
 * database of its own, dropped afterwards.
 */
import type { MysqlConfig } from '../../../lib/src/config.js'
import { createMysqlPool } from '../../../lib/src/mysql/pool.js'
import { createScratchDatabase } from '../../../lib/src/mysql/scratch.js'
import { DEFAULT_SEED, loadData, loadGeneratedUsers, missingChunks, splitLanes } from '../generate/load.js'
import { DATA_COLUMNS, encodeChunk, type Chunk } from '../generate/tsv.js'
import { createProgress } from '../progress.js'

export interface BulkLoadFigures {
  readonly users: number
  readonly rows: number
  /** Our generate:test-data, end to end. */
  readonly generator: { readonly seconds: number; readonly usersPerSecond: number }
  /** LOAD DATA of the same rows, made beforehand. */
  readonly loadData: { readonly seconds: number; readonly usersPerSecond: number; readonly rowsPerSecond: number }
  /** generator users/s ÷ LOAD DATA users/s. */
  readonly ratio: number
}

const CHUNK = 100_000
const LANES = 2

async function plainLoad(config: MysqlConfig, chunks: readonly Chunk[]): Promise<number> {
  const pool = createMysqlPool({ ...config, poolMax: LANES }, { localFiles: true })
  try {
    const started = performance.now()
    await Promise.all(splitLanes([...chunks], LANES).map(async (own) => {
      const conn = await pool.getConnection()
      try {
        for (const c of own) {
          await conn.beginTransaction()
          await loadData(conn, 'user_recap_data', DATA_COLUMNS, c.data)
          await conn.commit()
        }
      } finally {
        conn.release()
      }
    }))
    return (performance.now() - started) / 1000
  } finally {
    await pool.end()
  }
}

export async function measureBulkLoad(base: MysqlConfig, users: number, log: (line: string) => void): Promise<BulkLoadFigures> {
  log(`making the rows of ${users.toLocaleString('en')} users in memory for the LOAD DATA ceiling…`)
  const chunks = missingChunks(users, [], CHUNK).map(([a, b]) => encodeChunk(DEFAULT_SEED, a, b))
  const rows = chunks.reduce((s, c) => s + c.users, 0)
  const ceilingDb = await createScratchDatabase(base)
  let loadSeconds: number
  try {
    log(`LOAD DATA of ${rows.toLocaleString('en')} rows (${LANES} connections, chunks of ${CHUNK.toLocaleString('en')} users)…`)
    loadSeconds = await plainLoad(ceilingDb.config, chunks)
  } finally {
    await ceilingDb.drop()
  }
  chunks.length = 0
  log(`  ${loadSeconds.toFixed(1)} s; now generate:test-data of the same users into an empty database…`)
  const ours = await createScratchDatabase(base)
  let generatorSeconds: number
  try {
    const pool = createMysqlPool({ ...ours.config, poolMax: LANES + 1 }, { localFiles: true })
    const progress = createProgress({ label: '  generate:test-data', total: users, unit: 'users' })
    try {
      const report = await loadGeneratedUsers({ pool, onProgress: (p) => progress.update(p.loadedUsers) }, { seed: DEFAULT_SEED, users, chunkUsers: CHUNK, parallel: LANES })
      progress.finish()
      generatorSeconds = report.seconds
    } finally {
      await pool.end()
    }
  } finally {
    await ours.drop()
  }
  const rate = (s: number) => Math.round(users / s)
  return {
    users, rows,
    generator: { seconds: +generatorSeconds.toFixed(2), usersPerSecond: rate(generatorSeconds) },
    loadData: { seconds: +loadSeconds.toFixed(2), usersPerSecond: rate(loadSeconds), rowsPerSecond: Math.round(rows / loadSeconds) },
    ratio: +(loadSeconds / generatorSeconds).toFixed(2),
  }
}

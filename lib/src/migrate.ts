/**
 * The migration loop shared by Postgres and MySQL: `NNNN_name.sql` files in order, each applied
 * once. The database's own part (locking, the bookkeeping table, transactions) is the session's.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface MigrationSession {
  /** Versions applied so far (creates the bookkeeping table if needed). */
  applied(): Promise<ReadonlySet<string>>
  /** Runs one migration and records it as applied. */
  apply(version: string, sql: string): Promise<void>
}

export async function runMigrations(dir: string, session: MigrationSession): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort()
  const done = await session.applied()
  const applied: string[] = []
  for (const file of files) {
    if (done.has(file)) continue
    const sql = await readFile(join(dir, file), 'utf8')
    try {
      await session.apply(file, sql)
    } catch (err) {
      throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err })
    }
    applied.push(file)
  }
  return applied
}

/**
 * The per-category base of generated users (`npm run generate:test-data`). A generated row
 * carries its categories in `user_recap_data.fixture_categories` (migration 0005) rather than
 * as rows of `user_recap_categories`, because loading 10 M users as 10 M rows instead of ~30 M
 * is what makes the load fast. Nothing reads the column but the projector: before it adds a
 * batch's deltas it turns the base of the batch's generated users into category rows, once,
 * in the batch's transaction, so `top_category` is then recomputed from one table as for every
 * user. The format is a JSON array of `[category, trx_count, net amount]` triples.
 */
import type mysql from 'mysql2/promise'

export type FixtureCategory = readonly [category: string, trxCount: number, amount: number]

/** The column's text → its triples; anything else is a corrupt fixture (thrown: a store failure). */
export function parseFixtureCategories(text: string): FixtureCategory[] {
  const value: unknown = JSON.parse(text)
  const valid = Array.isArray(value) && value.every((c: unknown) => Array.isArray(c) && c.length === 3 && typeof c[0] === 'string' &&
    Number.isSafeInteger(c[1]) && Number.isSafeInteger(c[2]))
  if (!valid) throw new Error(`user_recap_data.fixture_categories is not a JSON array of [category, count, amount]: ${text.slice(0, 80)}`)
  return value as FixtureCategory[]
}

/**
 * Takes the fixture base of those of `userIds` (sorted) that still have one, as
 * user_recap_categories rows `[user_id, category, trx_count, amount]` to add, and clears the
 * column, in the caller's transaction: a generated user's first fold finds its base here, every
 * later one finds nothing.
 */
export async function takeFixtureCategories(conn: Pick<mysql.Connection, 'query'>, userIds: readonly number[]): Promise<(string | number)[][]> {
  if (userIds.length === 0) return []
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    'SELECT user_id, fixture_categories FROM user_recap_data WHERE user_id IN (?) AND fixture_categories IS NOT NULL FOR UPDATE', [userIds])
  if (rows.length === 0) return []
  await conn.query('UPDATE user_recap_data SET fixture_categories = NULL WHERE user_id IN (?)', [rows.map((r) => r.user_id)])
  return rows.flatMap((r) => parseFixtureCategories(String(r.fixture_categories)).map(([category, count, amount]) => [Number(r.user_id), category, count, amount]))
}

/**
 * The MySQL half of `npm run read-model:rebuild`: empties what the projector folded (the read
 * model, its dedupe ids, the group's positions) and decides what becomes of the generated
 * users. Kept (the default): the fixture stays recorded with none of its users loaded, so the
 * rebuild loads the same rows again (same seed, same generator) before the projector folds the
 * log on top. Dropped (`--drop-generated`): the fixture is forgotten with its rows.
 */
import type mysql from 'mysql2/promise'
import { FIXTURE_NAME, FixtureConflictError, GENERATOR_VERSION, readFixture, type FixtureRecord } from './load.js'

export interface ResetResult {
  /** The fixture to load again; undefined when there was none or it was dropped. */
  readonly kept: FixtureRecord | undefined
  readonly dropped: FixtureRecord | undefined
}

export async function emptyReadModel(pool: Pick<mysql.Pool, 'query'>, o: { groupId: string; topic: string; keepGenerated: boolean }): Promise<ResetResult> {
  const fixture = await readFixture(pool)
  // Kept means loaded again: refuse before emptying anything if this generator cannot make them.
  if (o.keepGenerated && fixture !== undefined && fixture.generator !== GENERATOR_VERSION) throw new FixtureConflictError(fixture)
  for (const table of ['user_recap_data', 'user_recap_categories', 'user_recap_applied', 'read_model_fixture_chunks']) {
    await pool.query(`TRUNCATE TABLE ${table}`)
  }
  await pool.query('DELETE FROM projector_offsets WHERE consumer_group = ? AND topic = ?', [o.groupId, o.topic])
  if (fixture === undefined) return { kept: undefined, dropped: undefined }
  if (o.keepGenerated) {
    await pool.query('UPDATE read_model_fixtures SET completed_at = NULL WHERE name = ?', [FIXTURE_NAME])
    return { kept: fixture, dropped: undefined }
  }
  await pool.query('DELETE FROM read_model_fixtures WHERE name = ?', [FIXTURE_NAME])
  return { kept: undefined, dropped: fixture }
}

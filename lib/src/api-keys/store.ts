/**
 * The `producer_api_keys` table (migrations/postgres/0002): create, list, revoke, and the set
 * producer-api loads. A created key is returned once, whole; the table keeps its digest.
 */
import type pg from 'pg'
import { PipelineError } from '../errors.js'
import { DIGEST_BYTES, generateApiKey, hashApiKey, invalidServices, KEY_ID_PATTERN, parseApiKey } from './key.js'

export interface ApiKeyRecord {
  readonly id: string
  readonly name: string
  readonly services: readonly string[]
  /** Requests per second across all instances; null: the API's default (API_KEY_RATE_LIMIT). */
  readonly rateLimit: number | null
  readonly createdAt: Date
  readonly revokedAt: Date | null
}

/** What producer-api holds per key: the record and the digest to compare against. */
export interface ActiveApiKey extends ApiKeyRecord {
  readonly hash: Buffer
}

export interface NewApiKey {
  readonly name: string
  readonly services: readonly string[]
  readonly rateLimit?: number | null
}

interface Row {
  key_id: string
  name: string
  key_hash: Buffer
  services: string[]
  rate_limit: number | null
  created_at: Date
  revoked_at: Date | null
}

const COLUMNS = 'key_id, name, key_hash, services, rate_limit, created_at, revoked_at'

function toRecord(row: Row): ActiveApiKey {
  return {
    id: row.key_id, name: row.name, hash: row.key_hash, services: row.services,
    rateLimit: row.rate_limit, createdAt: row.created_at, revokedAt: row.revoked_at,
  }
}

const withoutHash = ({ hash: _hash, ...record }: ActiveApiKey): ApiKeyRecord => record

/** PIPELINE_BODY_INVALID-style checks of what a caller asks for, before anything is written. */
export function checkNewApiKey(spec: NewApiKey): void {
  const problems: { path: string; message: string }[] = []
  if (!/^\S(?:.{0,126}\S)?$/.test(spec.name)) problems.push({ path: 'name', message: '1 to 128 characters, not starting or ending with a space' })
  const services = invalidServices(spec.services)
  if (services !== undefined) problems.push({ path: 'services', message: services })
  const rate = spec.rateLimit
  if (rate !== undefined && rate !== null && !(Number.isSafeInteger(rate) && rate > 0 && rate <= 2 ** 31 - 1)) {
    problems.push({ path: 'rate_limit', message: `a positive whole number of requests per second, got ${rate}` })
  }
  if (problems.length > 0) {
    throw new PipelineError('PIPELINE_API_KEY_SPEC_INVALID', `invalid key: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { errors: problems })
  }
}

/** Stores `key` (whole key text, already generated) under `spec`; returns its record. */
export async function insertApiKey(pool: pg.Pool, key: string, spec: NewApiKey): Promise<ApiKeyRecord> {
  checkNewApiKey(spec)
  const parsed = parseApiKey(key)
  if (parsed === undefined) throw new PipelineError('PIPELINE_API_KEY_SPEC_INVALID', 'not a producer API key (pak_<16 hex>_<43 base64url>)')
  const { rows } = await pool.query<Row>(
    `INSERT INTO producer_api_keys (key_id, name, key_hash, services, rate_limit) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [parsed.id, spec.name, hashApiKey(key), [...spec.services], spec.rateLimit ?? null])
  const row = rows[0]
  if (row === undefined) throw new PipelineError('PIPELINE_INTERNAL', 'INSERT returned no row')
  return withoutHash(toRecord(row))
}

/** A new random key for `spec`: the only time the whole key exists outside its holder. */
export async function createApiKey(pool: pg.Pool, spec: NewApiKey): Promise<{ readonly key: string; readonly record: ApiKeyRecord }> {
  checkNewApiKey(spec)
  const { key } = generateApiKey()
  return { key, record: await insertApiKey(pool, key, spec) }
}

export async function listApiKeys(pool: pg.Pool): Promise<readonly ApiKeyRecord[]> {
  const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM producer_api_keys ORDER BY created_at, key_id`)
  return rows.map((row) => withoutHash(toRecord(row)))
}

export async function findApiKey(pool: pg.Pool, id: string): Promise<ActiveApiKey | undefined> {
  if (!KEY_ID_PATTERN.test(id)) return undefined
  const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM producer_api_keys WHERE key_id = $1`, [id])
  return rows[0] === undefined ? undefined : toRecord(rows[0])
}

export type RevokeResult = 'revoked' | 'already-revoked' | 'not-found'

/** Marks the key revoked (the row stays, for the record); producer-api drops it at its next refresh. */
export async function revokeApiKey(pool: pg.Pool, id: string): Promise<RevokeResult> {
  if (!KEY_ID_PATTERN.test(id)) return 'not-found'
  const { rowCount } = await pool.query('UPDATE producer_api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL', [id])
  if (rowCount === 1) return 'revoked'
  return (await findApiKey(pool, id)) === undefined ? 'not-found' : 'already-revoked'
}

/** Every key not revoked, with its digest: what producer-api serves from. */
export async function loadActiveApiKeys(pool: pg.Pool, timeoutMs: number): Promise<readonly ActiveApiKey[]> {
  // A Postgres that hangs must not hold the refresh forever: it fails, and the last set stands.
  // (pg reads query_timeout from the query config; its types do not list it.)
  const query: pg.QueryConfig & { readonly query_timeout: number } = {
    text: `SELECT ${COLUMNS} FROM producer_api_keys WHERE revoked_at IS NULL`,
    query_timeout: timeoutMs,
  }
  const { rows } = await pool.query<Row>(query)
  return rows.filter((row) => row.key_hash.length === DIGEST_BYTES).map(toRecord)
}

/**
 * The local development key: what `npm start` and `npm test` make once and keep using across
 * restarts, in `.local/producer-api-key` (git-ignored; `$PIPELINE_STATE_DIR` moves it), and
 * what the client library, the load tests and the benchmarks send when PRODUCER_API_KEY is
 * not set. It may write any service (`*`) at a rate no local load test reaches.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type pg from 'pg'
import type { Env } from '../config.js'
import { PROJECT_ROOT } from '../paths.js'
import { hashApiKey, parseApiKey } from './key.js'
import { createApiKey, findApiKey, insertApiKey, type NewApiKey } from './store.js'

export const LOCAL_API_KEY: NewApiKey = { name: 'local', services: ['*'], rateLimit: 1_000_000 }

export function localApiKeyFile(env: Env): string {
  return join(env.PIPELINE_STATE_DIR ?? join(PROJECT_ROOT, '.local'), 'producer-api-key')
}

/** The key in `file`, if there is a well-formed one. */
export function readLocalApiKey(file: string): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch (err) {
    // No local key (yet): the caller sends none, and producer-api answers 401.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  return parseApiKey(text)?.key
}

/** PRODUCER_API_KEY, else the local key file, else undefined. */
export function resolveApiKey(env: Env): string | undefined {
  const configured = env.PRODUCER_API_KEY?.trim()
  return configured === undefined || configured === '' ? readLocalApiKey(localApiKeyFile(env)) : configured
}

export type LocalKeyOutcome = 'kept' | 'restored' | 'created'

/**
 * The local key, made if needed: the key in `file` when the table has it and it is not revoked
 * (`kept`); the same key stored again when the table lost it, as after a new Postgres data
 * directory (`restored`); else a new key, written to `file` (`created`).
 */
export async function ensureLocalApiKey(pool: pg.Pool, file: string): Promise<{ readonly key: string; readonly id: string; readonly outcome: LocalKeyOutcome }> {
  const existing = readLocalApiKey(file)
  const parsed = existing === undefined ? undefined : parseApiKey(existing)
  if (parsed !== undefined) {
    const row = await findApiKey(pool, parsed.id)
    if (row === undefined) {
      await insertApiKey(pool, parsed.key, LOCAL_API_KEY)
      return { key: parsed.key, id: parsed.id, outcome: 'restored' }
    }
    if (row.revokedAt === null && row.hash.equals(hashApiKey(parsed.key))) return { key: parsed.key, id: parsed.id, outcome: 'kept' }
  }
  const { key, record } = await createApiKey(pool, LOCAL_API_KEY)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(`${file}.tmp`, `${key}\n`, { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
  return { key, id: record.id, outcome: 'created' }
}

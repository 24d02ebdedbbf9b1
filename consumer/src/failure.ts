/**
 * Is a failed batch write worth retrying? Transient: the store or the broker is away or busy
 * (connections refused or reset, Postgres' classes 08/40/53/57/58, MySQL's deadlocks and lock
 * waits, PipelineErrors whose code is retriable): retried with backoff, the partition waits.
 * Permanent: the store itself is unusable until someone acts (a missing table or column or
 * database, refused credentials or privileges, a statement the server cannot parse) or the code
 * is wrong (a TypeError): retrying would spin forever, so the consumer stops with the reason.
 * Anything else is transient, kafkajs' errors included: its "retries exceeded" while the broker
 * is down (a DLQ hand-off) is marked non-retriable, yet the broker comes back.
 * Records the store refuses one by one never get here: they are split out and dead-lettered.
 */
import { CODES, isPipelineError } from '../../lib/src/errors.js'

export type Failure = 'transient' | 'permanent'

const TRANSIENT_SYSTEM = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN'])
const PERMANENT_MYSQL = new Set(['ER_NO_SUCH_TABLE', 'ER_BAD_FIELD_ERROR', 'ER_BAD_DB_ERROR', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR', 'ER_PARSE_ERROR'])
/** SQLSTATE classes of Postgres that no retry mends: 42 syntax or access rule, 3D no such database, 28 authorization, 0A unsupported. */
const PERMANENT_SQLSTATE = /^(42|3D|28|0A)/

export function classifyFailure(err: unknown): Failure {
  if (isPipelineError(err)) return CODES[err.code].retriable ? 'transient' : 'permanent'
  if (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) return 'permanent'
  if (err === null || typeof err !== 'object') return 'transient'
  const e = err as { code?: unknown }
  if (typeof e.code === 'string') {
    if (TRANSIENT_SYSTEM.has(e.code)) return 'transient'
    if (PERMANENT_MYSQL.has(e.code)) return 'permanent'
    if (/^[0-9A-Z]{5}$/.test(e.code) && PERMANENT_SQLSTATE.test(e.code)) return 'permanent' // a Postgres SQLSTATE
  }
  return 'transient'
}

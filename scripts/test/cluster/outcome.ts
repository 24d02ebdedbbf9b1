/**
 * What a failed send of @platformatic/kafka tells about its records: `rejected` when every
 * attempt in the error's tree failed before the broker could append them (no connection was
 * made, or the broker answered NOT_ENOUGH_REPLICAS, which it checks before appending), `unknown`
 * when any attempt may have reached the log: a timed out request (REQUEST_TIMED_OUT, or no answer),
 * a connection closed with the request in flight, and NOT_LEADER_OR_FOLLOWER, with which a leader
 * that loses its partition also answers the acks=all requests it had appended and was waiting on
 * (with NOT_LEADER_OR_FOLLOWER judged `rejected`, a run found 20 such events in Postgres).
 * Each send of the cluster test goes to one partition, so a produce request is all or nothing.
 *
 * Residual: after a stale-metadata error the client sends once more to the new leader and
 * reports only that round's errors; the test checks the judgement (no rejected event may be stored).
 */

export type Outcome = 'acknowledged' | 'rejected' | 'unknown'

export interface Judged {
  readonly outcome: Exclude<Outcome, 'acknowledged'>
  /** One short code per leaf error (broker error names, network:connect, timeout:request …). */
  readonly codes: readonly string[]
}

/** Broker errors a produce request is only ever answered with before anything is appended. */
const REFUSED_BEFORE_APPEND = new Set(['NOT_ENOUGH_REPLICAS'])

interface Leaf {
  readonly code: string
  readonly written: 'no' | 'maybe'
}

const field = (value: unknown, name: string): unknown =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined

/** The client's messages for a connection that was never established. */
function networkLeaf(message: string): Leaf {
  if (/^Connection to .+ failed\.$/.test(message)) return { code: 'network:connect', written: 'no' }
  if (message === 'Connection closed while waiting for ready.') return { code: 'network:connect', written: 'no' }
  if (/^Connection to .+ timed out\.$|^Connection ready timed out/.test(message)) return { code: 'timeout:connect', written: 'no' }
  if (message === 'Client is closed.') return { code: 'client:closed', written: 'no' }
  if (message === 'Request timed out') return { code: 'timeout:request', written: 'maybe' }
  if (message === 'Connection closed') return { code: 'network:closed', written: 'maybe' }
  return { code: `network:${message}`, written: 'maybe' }
}

function leaves(err: unknown): Leaf[] {
  const nested = field(err, 'errors')
  if (Array.isArray(nested) && nested.length > 0) return nested.flatMap(leaves)
  const code = field(err, 'code')
  const message = String(field(err, 'message') ?? err)
  if (code === 'PLT_KFK_PROTOCOL') {
    const apiId = String(field(err, 'apiId'))
    return [{ code: apiId, written: REFUSED_BEFORE_APPEND.has(apiId) ? 'no' : 'maybe' }]
  }
  // TimeoutError carries PLT_KFK_NETWORK as its code: the message tells them apart.
  if (code === 'PLT_KFK_NETWORK') return [networkLeaf(message)]
  return [{ code: typeof code === 'string' ? code : message, written: 'maybe' }]
}

export function judgeSendError(err: unknown): Judged {
  const found = leaves(err)
  const outcome = found.length > 0 && found.every((l) => l.written === 'no') ? 'rejected' : 'unknown'
  return { outcome, codes: found.map((l) => l.code) }
}

/**
 * The one path of every accepted event, shared by POST /events and POST /events/batch:
 * judge each event on its own, encode the valid ones, and hand them to the sender together.
 * Resolves after acks=all; rejects (with a coded error) when the broker does not take them.
 */
import { encodeRecord } from '../../../lib/src/avro/codec.js'
import { PipelineError, type FieldError } from '../../../lib/src/errors.js'
import type { OutgoingRecord } from '../../../lib/src/kafka/record-producer.js'
import type { IngestMetrics } from '../../../lib/src/metrics.js'
import type { Sender } from './sender.js'
import type { EventValidator, RejectionCode } from './validate.js'

export type Outcome =
  | { readonly index: number; readonly status: 'accepted'; readonly event_id: string }
  | { readonly index: number; readonly status: 'rejected'; readonly code: RejectionCode; readonly errors: readonly FieldError[] }

export interface AcceptResult {
  readonly outcomes: readonly Outcome[]
  readonly accepted: number
  readonly rejected: number
}

export interface AcceptDeps {
  readonly validate: EventValidator
  readonly sender: Pick<Sender, 'send'>
  readonly clock: () => number
  readonly metrics?: IngestMetrics
}

export const CONTENT_TYPE = 'application/vnd.aurore.event+avro'

export async function acceptEvents(deps: AcceptDeps, inputs: readonly unknown[]): Promise<AcceptResult> {
  const receivedAt = deps.clock()
  const outcomes: Outcome[] = []
  const messages: OutgoingRecord[] = []
  let bytes = 0
  inputs.forEach((input, index) => {
    const judged = deps.validate(input, receivedAt)
    if (!judged.ok) {
      outcomes.push({ index, status: 'rejected', code: judged.code, errors: judged.errors })
      return
    }
    const { record, version } = judged
    const value = encodeRecord(version, record)
    bytes += value.length
    messages.push({
      key: record.user_id === null ? record.service : String(record.user_id),
      value,
      headers: {
        'event-type': record.event_type,
        'schema-version': String(version.version),
        'event-id': record.event_id,
        'content-type': CONTENT_TYPE,
      },
    })
    outcomes.push({ index, status: 'accepted', event_id: record.event_id })
  })
  const invalid = inputs.length - messages.length
  if (invalid > 0 && deps.metrics) {
    const tooDeep = outcomes.filter((o) => o.status === 'rejected' && o.code === 'PIPELINE_PAYLOAD_TOO_DEEP').length
    if (tooDeep > 0) deps.metrics.rejected.inc({ reason: 'PIPELINE_PAYLOAD_TOO_DEEP' }, tooDeep)
    if (invalid > tooDeep) deps.metrics.rejected.inc({ reason: 'PIPELINE_EVENT_INVALID' }, invalid - tooDeep)
  }
  if (messages.length > 0) {
    try {
      await deps.sender.send(messages, bytes)
      deps.metrics?.accepted.inc(messages.length)
    } catch (err) {
      // Tell the client which ids to resend: a retry with the same ids cannot duplicate.
      if (!(err instanceof PipelineError)) throw err
      deps.metrics?.rejected.inc({ reason: err.code }, messages.length)
      const eventIds = outcomes.flatMap((o) => (o.status === 'accepted' ? [o.event_id] : []))
      throw new PipelineError(err.code, err.message, { cause: err.cause, retryAfter: err.retryAfter, extra: { event_ids: eventIds } })
    }
  }
  return { outcomes, accepted: messages.length, rejected: invalid }
}

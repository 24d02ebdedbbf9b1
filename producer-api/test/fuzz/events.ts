/**
 * The fuzz properties of POST /events and POST /events/batch, for inject() (unit, with the
 * recording sender) and a live producer-api alike. For every case:
 * - the answer is a 2xx, or a 4xx problem+json with a code of the table (lib/test/fuzz/answer.ts);
 * - a wrong or missing key is 401, once a key is required;
 * - what is accepted is valid (./oracle.ts) and kept as sent: each produced record decodes, and
 *   is the event that was sent; a 4xx produced nothing, a 207 only its accepted events;
 * - what is refused is invalid: a valid event, in a request with nothing else wrong, is taken.
 * Live, the ids of accepted and refused events go to a ledger, checked in Postgres afterwards.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { Catalog } from '../../../lib/src/avro/catalog.js'
import { createDecoder } from '../../../lib/src/avro/codec.js'
import type { OutgoingRecord } from '../../../lib/src/kafka/record-producer.js'
import { byParser, isTransient, judge, type Answer } from '../../../lib/test/fuzz/answer.js'
import type { IdSource } from '../../../lib/test/fuzz/ids.js'
import type { FuzzProperty } from '../../../lib/test/fuzz/runner.js'
import { sendSettled, type Settle, type Target } from '../../../lib/test/fuzz/target.js'
import { buildRequest, eventCase, type EventCase } from './cases.js'
import { inflated, invalidEvent, keptAsSent, parseStrict, UUID, type ProducerLimits } from './oracle.js'

/** Ids the API acknowledged, and ids of events it refused (none may be stored). */
export interface IdLedger {
  readonly accepted: Set<string>
  readonly rejected: Set<string>
  /**
   * Events of requests whose answer is `uncertain` (an earlier try may have been taken): each
   * may be stored without its id being acknowledged, and their ids are not counted as refused.
   */
  uncertainEvents: number
}

export interface EventsFuzzDeps {
  readonly target: Target
  readonly catalog: Catalog
  readonly limits: ProducerLimits
  readonly ids: IdSource
  /** Sent as `Authorization: Bearer <key>`; undefined while producer-api takes requests without one. */
  readonly writerKey: string | undefined
  readonly service: fc.Arbitrary<string>
  readonly userId: fc.Arbitrary<number>
  /** The services the writer key may write (default: any); a mutation can set another. */
  readonly mayWrite?: (service: string) => boolean
  /** Unit: what the app handed to its sender since the last call. */
  readonly drainProduced?: () => OutgoingRecord[]
  /** Unit: the app's receive time (an event without occurred_at gets it). */
  readonly receivedAtMicros?: number
  /** Live: where the outcome of every id goes. */
  readonly ledger?: IdLedger
  /** Live: what is waited out (default: backpressure's and admission's codes, 20 tries). */
  readonly settle?: Settle
  /** Live against a build from before 676137f: leave out the one input known to crash it (a cut gzip past the limit). */
  readonly liveSafe?: boolean
}

const JSON_TYPE = /^application\/json\s*(;|$)/i
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

interface Outcome { readonly index: number; readonly accepted: boolean; readonly id: string | undefined }

/** Per event, what the answer says happened to it. */
function outcomesOf(c: EventCase, answer: Answer & { kind: 'success' }, count: number): Outcome[] {
  const body = answer.body as Record<string, unknown>
  if (c.route === '/events') {
    assert.equal(answer.status, 202, 'POST /events succeeds with 202 only')
    assert.ok(typeof body.event_id === 'string' && UUID.test(body.event_id), `202 without an event id: ${JSON.stringify(body)}`)
    return [{ index: 0, accepted: true, id: body.event_id }]
  }
  if (answer.status === 202) {
    assert.ok(Array.isArray(body.event_ids) && body.event_ids.length === count && body.accepted === count, `202 for ${count} events: ${JSON.stringify(body).slice(0, 300)}`)
    return body.event_ids.map((id: unknown, index) => ({ index, accepted: true, id: String(id) }))
  }
  assert.equal(answer.status, 207, 'POST /events/batch succeeds with 202 or 207 only')
  const results = body.results as { index: number; status: number; event_id?: string }[]
  assert.ok(Array.isArray(results) && results.length === count, '207 lists every event')
  assert.ok(results.some((r) => r.status === 202) && results.some((r) => r.status === 400), '207 has accepted and rejected events')
  return results.map((r, i) => ({ index: i, accepted: r.status === 202, id: r.event_id }))
}

export function eventsProperties(deps: EventsFuzzDeps): FuzzProperty<EventCase>[] {
  const decoder = createDecoder(deps.catalog)
  const routes = ['/events', '/events/batch'] as const
  const cases = (route: EventCase['route']) => eventCase(route, { maxBatchEvents: deps.limits.maxBatchEvents, service: deps.service, userId: deps.userId })
    .filter((c) => deps.liveSafe !== true || !(c.encoding === 'gzip-cut' && (c.sizeDelta ?? 0) > 0))
  return routes.map((route, i) => ({
    name: `POST ${route}`,
    // Both share the target: the last one closes it.
    ...(i === routes.length - 1 ? { close: () => deps.target.close() } : {}),
    property: fc.asyncProperty(cases(route), async (c) => {
      const built = buildRequest(c, { ...deps.limits, newId: () => deps.ids.next(), writerKey: deps.writerKey })
      const res = await sendSettled(deps.target, built.request, deps.settle?.isRetry ?? isTransient, deps.settle?.attempts)
      const answer = judge(res)
      const produced = deps.drainProduced?.() ?? []
      // A Content-Length of the case's own decides what the server reads: then the oracle does not know the body.
      const framed = 'content-length' in built.request.headers
      const seen = framed ? undefined : inflated(built.request.body ?? Buffer.alloc(0), built.request.headers['content-encoding'] as string | undefined)
      const parsed = seen === undefined ? undefined : parseStrict(seen)
      const batch = c.route === '/events' ? undefined : parsed?.value
      const events: unknown[] | undefined = c.route === '/events'
        ? (parsed === undefined ? undefined : [parsed.value])
        : isRecord(batch) && Array.isArray(batch.events) ? batch.events : undefined
      const verdicts = events?.map((e) => invalidEvent(e, deps.catalog, deps.limits))
      // An event of a service the key may not write: the whole request is 403, valid or not.
      const forbidden = events?.some((e) => isRecord(e) && typeof e.service === 'string' && deps.mayWrite?.(e.service) === false) === true
      const sentId = (i: number): string | undefined => {
        const e = events?.[i]
        return isRecord(e) && typeof e.event_id === 'string' ? e.event_id.toLowerCase() : undefined
      }

      // Without the right key, 401; unless Node's parser refused the request before anyone read it.
      if (deps.writerKey !== undefined && c.auth.kind !== 'valid' && !byParser(answer)) {
        assert.equal(answer.status, 401, `a request without the right key: ${res.status}`)
      }
      if (res.uncertain === true && deps.ledger !== undefined) deps.ledger.uncertainEvents += events?.length ?? (c.route === '/events' ? 1 : deps.limits.maxBatchEvents)
      if (answer.kind === 'problem') {
        assert.equal(produced.length, 0, `a ${answer.status} produced ${produced.length} records`)
        if (res.uncertain !== true) for (const id of [...built.ids, ...(events ?? []).map((_, i) => sentId(i))]) if (id !== undefined) deps.ledger?.rejected.add(id)
        const wellFormedBatch = c.route === '/events' || (events !== undefined && events.length >= 1 && events.length <= deps.limits.maxBatchEvents)
        if (answer.code === 'PIPELINE_SERVICE_FORBIDDEN') assert.ok(forbidden, `403 though the key may write every service: ${String(answer.body.detail)}`)
        if (built.clean && wellFormedBatch && !forbidden && verdicts?.some((v) => v === undefined) === true) {
          assert.fail(`refused a request with a valid event (${answer.code}: ${String(answer.body.detail)}; ${JSON.stringify(answer.body.errors ?? []).slice(0, 300)})`)
        }
        if ((answer.code === 'PIPELINE_EVENT_INVALID' || answer.code === 'PIPELINE_BATCH_INVALID') && verdicts !== undefined) {
          assert.ok(verdicts.every((v) => v !== undefined), `${answer.code} for events the oracle finds valid: ${JSON.stringify(answer.body.errors ?? []).slice(0, 300)}`)
        }
        return
      }

      assert.ok(answer.kind === 'success')
      assert.ok(!forbidden, 'accepted an event of a service the key may not write')
      assert.match(String(built.request.headers['content-type'] ?? ''), JSON_TYPE, 'accepted a body that is not application/json')
      assert.ok(seen !== undefined && parsed !== undefined && events !== undefined, 'accepted a body that is not (gzip of) UTF-8 JSON')
      assert.ok(seen.length <= deps.limits.bodyLimit, `accepted ${seen.length} bytes, over the limit of ${deps.limits.bodyLimit}`)
      if (c.route === '/events/batch') {
        assert.ok(isRecord(batch) && Object.keys(batch).length === 1, 'accepted a batch body with other fields than events')
        assert.ok(events.length >= 1 && events.length <= deps.limits.maxBatchEvents, `accepted a batch of ${events.length}`)
      }
      const outcomes = outcomesOf(c, answer, events.length)
      const accepted = outcomes.filter((o) => o.accepted)
      if (deps.drainProduced !== undefined) assert.equal(produced.length, accepted.length, `${accepted.length} accepted, ${produced.length} produced`)
      accepted.forEach((o, n) => {
        const sent = events[o.index]
        const verdict = verdicts?.[o.index]
        assert.equal(verdict, undefined, `accepted event ${o.index}, which is invalid: ${verdict}`)
        assert.ok(isRecord(sent))
        if (sentId(o.index) !== undefined) assert.equal(o.id, sentId(o.index), 'the id answered is the id sent')
        if (o.id !== undefined) deps.ledger?.accepted.add(o.id)
        const record = produced[n]
        if (deps.drainProduced === undefined) return
        assert.ok(record !== undefined)
        const decoded = decoder.decode(record.value)
        assert.equal(record.headers?.['event-id'], decoded.value.event_id, 'event-id header')
        assert.equal(record.headers?.['event-type'], decoded.value.event_type, 'event-type header')
        assert.equal(record.key, decoded.value.user_id === null ? decoded.value.service : String(decoded.value.user_id), 'record key')
        assert.equal(decoded.value.event_id, o.id, 'the record has the id answered')
        const differs = keptAsSent(sent, decoded, deps.receivedAtMicros)
        assert.equal(differs, undefined, `event ${o.index} was not kept as sent: ${differs}`)
      })
      for (const o of outcomes.filter((x) => !x.accepted)) {
        assert.notEqual(verdicts?.[o.index], undefined, `refused event ${o.index} of a 207, which is valid`)
        const id = sentId(o.index)
        if (id !== undefined) deps.ledger?.rejected.add(id)
      }
    }),
  }))
}

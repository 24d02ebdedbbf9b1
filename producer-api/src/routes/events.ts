/** POST /events and POST /events/batch: both go through acceptEvents(). */
import type { FastifyInstance } from 'fastify'
import { PipelineError } from '../../../lib/src/errors.js'
import type { ApiKeyMetrics } from '../../../lib/src/metrics.js'
import { acceptEvents, type AcceptDeps } from '../events/accept.js'
import { batchSchema, eventSchema } from '../events/envelope.js'
import { authorizeServices } from '../plugins/api-keys.js'
import { API_KEY_SECURITY, authResponses } from './security.js'

export interface EventRoutesOptions {
  readonly accept: AcceptDeps
  readonly maxBatchEvents: number
  readonly apiKeyMetrics?: ApiKeyMetrics
}

export async function eventRoutes(app: FastifyInstance, { accept, maxBatchEvents, apiKeyMetrics }: EventRoutesOptions): Promise<void> {
  app.post('/events', {
    // The body is judged by acceptEvents (one validator for single and batch, with the
    // payload checked against the event type's Avro schema); the schema here documents it.
    schema: {
      summary: 'Ingest one event',
      description: 'Answers 202 once the broker has the event (acks=all). Needs a producer API key that may write the event\'s service. Errors are application/problem+json (docs/errors.md).',
      body: eventSchema,
      security: API_KEY_SECURITY,
      response: { 202: { type: 'object', properties: { event_id: { type: 'string', format: 'uuid' } } }, ...authResponses },
    },
    validatorCompiler: () => () => true,
  }, async (request, reply) => {
    authorizeServices(request, [request.body], false, apiKeyMetrics)
    const { outcomes } = await acceptEvents(accept, [request.body])
    const outcome = outcomes[0]
    if (outcome === undefined) throw new PipelineError('PIPELINE_INTERNAL', 'no outcome for the event')
    if (outcome.status === 'rejected') {
      throw new PipelineError(outcome.code, outcome.code === 'PIPELINE_PAYLOAD_TOO_DEEP' ? 'the payload is nested too deeply' : 'the event is invalid', { errors: outcome.errors })
    }
    return reply.code(202).send({ event_id: outcome.event_id })
  })

  const batchBody = {
    ...batchSchema,
    properties: { events: { ...batchSchema.properties.events, maxItems: maxBatchEvents } },
  }
  app.post('/events/batch', {
    schema: {
      summary: 'Ingest up to BATCH_MAX_EVENTS events',
      description: 'Each event is judged on its own (as in POST /events): all valid → 202, some → 207 with each outcome by index (only the valid ones are written), none → 400. The API key must be allowed to write every event\'s service, else 403 and nothing is written.',
      body: batchBody,
      security: API_KEY_SECURITY,
      response: {
        ...authResponses,
        202: { type: 'object', properties: { accepted: { type: 'integer' }, event_ids: { type: 'array', items: { type: 'string' } } } },
        207: {
          type: 'object',
          properties: {
            accepted: { type: 'integer' },
            rejected: { type: 'integer' },
            results: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  index: { type: 'integer' }, status: { type: 'integer' }, event_id: { type: 'string' }, code: { type: 'string' },
                  errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
                },
              },
            },
          },
        },
      },
    },
  }, async (request, reply) => {
    const { events } = request.body as { events: unknown[] }
    authorizeServices(request, events, true, apiKeyMetrics)
    const result = await acceptEvents(accept, events)
    if (result.accepted === 0) {
      const errors = result.outcomes.flatMap((o) => (o.status === 'rejected' ? o.errors.map((e) => ({ index: o.index, ...e })) : []))
      throw new PipelineError('PIPELINE_BATCH_INVALID', `none of the ${events.length} events is valid`, { errors })
    }
    if (result.rejected === 0) {
      return reply.code(202).send({
        accepted: result.accepted,
        event_ids: result.outcomes.map((o) => (o.status === 'accepted' ? o.event_id : null)),
      })
    }
    return reply.code(207).send({
      accepted: result.accepted,
      rejected: result.rejected,
      results: result.outcomes.map((o) =>
        o.status === 'accepted'
          ? { index: o.index, status: 202, event_id: o.event_id }
          : { index: o.index, status: 400, code: o.code, errors: o.errors },
      ),
    })
  })
}

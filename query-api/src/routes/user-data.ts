/** GET /api/user-data: the signed read of one user's recap. */
import type { FastifyInstance } from 'fastify'
import { PipelineError } from '../../../lib/src/errors.js'
import type { QueryMetrics } from '../../../lib/src/metrics.js'
import { verifySignature, type SignatureConfig } from '../auth/signature.js'
import type { CacheAside } from '../cache/cache-aside.js'
import { userDataSchema } from '../user-data.js'

export interface UserDataRouteOptions {
  readonly cache: CacheAside
  readonly signature: SignatureConfig
  readonly clock: () => number
  readonly retryAfterSeconds: number
  readonly metrics?: QueryMetrics
}

export async function userDataRoutes(app: FastifyInstance, o: UserDataRouteOptions): Promise<void> {
  app.get('/api/user-data', {
    schema: {
      description: 'Headers: timestamp (Unix seconds or ms), user_id, sign = hex HMAC-SHA256 of "<timestamp>.<user_id>". Served from Redis, else MySQL.',
      headers: {
        type: 'object',
        properties: { timestamp: { type: 'string' }, user_id: { type: 'string' }, sign: { type: 'string' } },
      },
      response: { 200: userDataSchema }, // errors: application/problem+json (docs/errors.md)
    },
  }, async (request, reply) => {
    const verdict = verifySignature(request.headers, o.signature, o.clock())
    if (!verdict.ok) {
      o.metrics?.authFailures.inc({ reason: verdict.code })
      throw new PipelineError(verdict.code, verdict.message)
    }
    let json: string | undefined
    try {
      json = await o.cache.getJson(verdict.userId)
    } catch (err) {
      throw new PipelineError('PIPELINE_READ_MODEL_UNAVAILABLE', 'the read model cannot be read', { cause: err, retryAfter: o.retryAfterSeconds })
    }
    if (json === undefined) throw new PipelineError('PIPELINE_USER_NOT_FOUND', `no recap for user ${verdict.userId}`)
    // Already JSON (a UserData, as userDataSchema documents it): sent as is, not serialized again.
    return reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(json)
  })
}

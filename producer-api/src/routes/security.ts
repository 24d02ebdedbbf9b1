/** The OpenAPI side of producer API keys: the security scheme and the answers of the key check. */

export const SECURITY_SCHEME = 'producerApiKey'

export const securitySchemes = {
  [SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'pak_<id>_<secret>',
    description: 'A producer API key (`npm run keys -- create`), bound to the event `service` values it may write and to a rate limit. '
      + 'Missing, unknown or revoked: 401; a service it may not write: 403; over its rate limit: 429 with Retry-After.',
  },
} as const

export const API_KEY_SECURITY = [{ [SECURITY_SCHEME]: [] }]

// additionalProperties: Fastify serializes answers with these schemas, and a problem has more members (docs/errors.md).
const problem = (description: string) => ({
  description,
  content: {
    'application/problem+json': {
      schema: { type: 'object', additionalProperties: true, properties: { type: { type: 'string' }, code: { type: 'string' }, detail: { type: 'string' } } },
    },
  },
})

export const authResponses = {
  401: problem('PIPELINE_API_KEY_MISSING or PIPELINE_API_KEY_INVALID: no key, or an unknown or revoked one'),
  403: problem('PIPELINE_SERVICE_FORBIDDEN: the key may not write an event\'s service; nothing was written'),
  429: problem('PIPELINE_RATE_LIMITED (the key\'s rate limit) or PIPELINE_THROTTLED (sink lag): retry after Retry-After'),
} as const

/**
 * Every error the pipeline throws or answers with, in one table of stable codes.
 * The code is the contract: clients, dashboards and runbooks key on it, never on a message.
 */
export const CODES = {
  PIPELINE_CONFIG_INVALID: { status: 500, retriable: false, title: 'Invalid configuration' },
  PIPELINE_BODY_MALFORMED: { status: 400, retriable: false, title: 'Malformed JSON body' },
  PIPELINE_BODY_INVALID: { status: 400, retriable: false, title: 'Invalid request body' },
  PIPELINE_EVENT_INVALID: { status: 400, retriable: false, title: 'Invalid event' },
  PIPELINE_BATCH_INVALID: { status: 400, retriable: false, title: 'No valid event in batch' },
  PIPELINE_BODY_TOO_LARGE: { status: 413, retriable: false, title: 'Request body too large' },
  PIPELINE_UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false, title: 'Body must be application/json' },
  PIPELINE_UNSUPPORTED_ENCODING: { status: 415, retriable: false, title: 'Body must not be encoded (Content-Encoding: identity)' },
  PIPELINE_PAYLOAD_TOO_DEEP: { status: 400, retriable: false, title: 'Payload nested too deeply' },
  PIPELINE_NOT_FOUND: { status: 404, retriable: false, title: 'Not found' },
  PIPELINE_METHOD_NOT_ALLOWED: { status: 405, retriable: false, title: 'Method not allowed' },
  PIPELINE_REQUEST_MALFORMED: { status: 400, retriable: false, title: 'Malformed HTTP request' },
  PIPELINE_REQUEST_TIMEOUT: { status: 408, retriable: true, title: 'Request not received in time' },
  PIPELINE_HEADERS_TOO_LARGE: { status: 431, retriable: false, title: 'Request line and headers too large' },
  PIPELINE_BROKER_UNAVAILABLE: { status: 503, retriable: true, title: 'Broker unavailable' },
  PIPELINE_BROKER_UNCONFIRMED: { status: 503, retriable: true, title: 'Broker did not confirm the write' },
  PIPELINE_SHUTTING_DOWN: { status: 503, retriable: true, title: 'Shutting down' },
  PIPELINE_THROTTLED: { status: 429, retriable: true, title: 'Throttled: the sink is behind' },
  PIPELINE_LAG_CRITICAL: { status: 503, retriable: true, title: 'The sink is too far behind' },
  PIPELINE_LAG_UNKNOWN: { status: 503, retriable: true, title: 'Consumer lag cannot be read' },
  PIPELINE_OVERLOADED: { status: 503, retriable: true, title: 'Too much in flight' },
  PIPELINE_RECORD_UNDECODABLE: { status: 500, retriable: false, title: 'Record cannot be decoded' },
  PIPELINE_ROW_REJECTED: { status: 500, retriable: false, title: 'Postgres rejected the row' },
  PIPELINE_SCHEMA_UNKNOWN: { status: 500, retriable: false, title: 'Unknown schema' },
  PIPELINE_CATALOG_INVALID: { status: 500, retriable: false, title: 'Schema catalog invalid' },
  PIPELINE_SCHEMA_REGISTRY_UNAVAILABLE: { status: 503, retriable: true, title: 'Schema registry unavailable' },
  PIPELINE_API_KEY_MISSING: { status: 401, retriable: false, title: 'Producer API key missing (Authorization: Bearer <key>)' },
  PIPELINE_API_KEY_INVALID: { status: 401, retriable: false, title: 'Producer API key unknown or revoked' },
  PIPELINE_SERVICE_FORBIDDEN: { status: 403, retriable: false, title: 'The API key may not write this service' },
  PIPELINE_RATE_LIMITED: { status: 429, retriable: true, title: "Throttled: the API key's rate limit" },
  PIPELINE_API_KEY_SPEC_INVALID: { status: 400, retriable: false, title: 'Invalid API key specification' },
  PIPELINE_API_KEYS_MISSING: { status: 500, retriable: false, title: 'No producer API keys' },
  PIPELINE_API_KEYS_UNAVAILABLE: { status: 503, retriable: true, title: 'Producer API keys cannot be read' },
  PIPELINE_SIGNATURE_MISSING: { status: 401, retriable: false, title: 'Signature headers missing or malformed' },
  PIPELINE_SIGNATURE_INVALID: { status: 401, retriable: false, title: 'Signature does not match' },
  PIPELINE_SIGNATURE_STALE: { status: 401, retriable: false, title: 'Signature timestamp outside the allowed clock skew' },
  PIPELINE_USER_NOT_FOUND: { status: 404, retriable: false, title: 'No read-model data for this user' },
  PIPELINE_READ_MODEL_UNAVAILABLE: { status: 503, retriable: true, title: 'Read model unavailable' },
  PIPELINE_INTERNAL: { status: 500, retriable: false, title: 'Internal error' },
} as const satisfies Record<string, { status: number; retriable: boolean; title: string }>

export type ErrorCode = keyof typeof CODES

/** One entry of a validation error list: where (`index` within a batch, JSON `path`) and what. */
export interface FieldError {
  readonly index?: number
  readonly path: string
  readonly message: string
}

export interface PipelineErrorOptions {
  readonly cause?: unknown
  readonly errors?: readonly FieldError[]
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  readonly retryAfter?: number
  /** Extra members of the problem+json body. */
  readonly extra?: Readonly<Record<string, unknown>>
}

export class PipelineError extends Error {
  override readonly name = 'PipelineError'
  readonly code: ErrorCode
  readonly errors: readonly FieldError[] | undefined
  readonly retryAfter: number | undefined
  readonly extra: Readonly<Record<string, unknown>> | undefined

  constructor(code: ErrorCode, message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.errors = options.errors
    this.retryAfter = options.retryAfter
    this.extra = options.extra
  }

  get status(): number {
    return CODES[this.code].status
  }

  get retriable(): boolean {
    return CODES[this.code].retriable
  }
}

export function isPipelineError(err: unknown): err is PipelineError {
  return err instanceof PipelineError
}

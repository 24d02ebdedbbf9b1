/** The JSON schema of one event as clients send it (DESIGN.md, HTTP API). */
export const SERVICE_PATTERN = '^[A-Za-z0-9._-]{1,128}$'
export const UUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$'
/** The largest user_id: avsc's bound for an Avro long (2^53 − 2), one short of Number.MAX_SAFE_INTEGER. */
export const MAX_USER_ID = 2 ** 53 - 2

export const eventSchema = {
  $id: 'event',
  type: 'object',
  additionalProperties: false,
  required: ['service', 'event_type', 'payload'],
  properties: {
    // ajv's uuid format also takes `urn:uuid:<uuid>`, which Postgres' uuid type refuses (the event
    // was acknowledged, then dead-lettered by the sink): the pattern keeps the plain form only.
    event_id: { type: 'string', format: 'uuid', pattern: UUID_PATTERN, description: 'Assigned (UUIDv7) when absent; resend the same id on retry.' },
    service: { type: 'string', minLength: 1, maxLength: 128, pattern: SERVICE_PATTERN },
    event_type: { type: 'string', minLength: 1, maxLength: 128, description: 'An event type of the schema catalog.' },
    occurred_at: { type: 'string', format: 'date-time', description: 'RFC 3339; defaults to the receive time.' },
    user_id: { type: 'integer', minimum: 1, maximum: MAX_USER_ID },
    payload: { type: 'object', description: 'Validated against the Avro schema of event_type.' },
  },
} as const

export const batchSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['events'],
  properties: {
    events: { type: 'array', minItems: 1, description: 'Each item is judged on its own as an event.' },
  },
} as const

/** What a valid event looks like after the JSON schema (the payload is still unchecked). */
export interface EventInput {
  readonly event_id?: string
  readonly service: string
  readonly event_type: string
  readonly occurred_at?: string
  readonly user_id?: number
  readonly payload: Readonly<Record<string, unknown>>
}

/**
 * What the k6 shim saw: the requests the script sent, its checks and metric samples. One
 * shared instance (the shim modules import it), reset by each test.
 */
export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly tags: Readonly<Record<string, string>>
}

export interface ShimResponse {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

export interface K6State {
  requests: RecordedRequest[]
  checks: { readonly name: string; readonly ok: boolean }[]
  samples: { readonly metric: string; readonly value: number }[]
  /** Answers each request (default: 200 with an empty JSON object). */
  respond: (request: RecordedRequest) => ShimResponse
}

export const k6State: K6State = {
  requests: [],
  checks: [],
  samples: [],
  respond: () => ({ status: 200, body: '{}', headers: {} }),
}

export function resetK6State(respond?: K6State['respond']): void {
  k6State.requests = []
  k6State.checks = []
  k6State.samples = []
  k6State.respond = respond ?? (() => ({ status: 200, body: '{}', headers: {} }))
}

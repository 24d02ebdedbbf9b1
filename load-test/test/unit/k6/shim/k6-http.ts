/** Shim of `k6/http`: records each request and answers with k6State.respond. */
import { k6State, type ShimResponse } from './state.js'

interface Params {
  readonly headers?: Readonly<Record<string, string>>
  readonly tags?: Readonly<Record<string, string>>
}

function request(method: string, url: string, params: Params = {}): ShimResponse {
  const recorded = { method, url, headers: { ...params.headers }, tags: { ...params.tags } }
  k6State.requests.push(recorded)
  return k6State.respond(recorded)
}

export default {
  get: (url: string, params?: Params) => request('GET', url, params),
  post: (url: string, _body?: unknown, params?: Params) => request('POST', url, params),
  expectedStatuses: (...statuses: number[]) => ({ statuses }),
}

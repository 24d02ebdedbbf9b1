/**
 * The HTTP contract every answer to a fuzzed request must keep: a 2xx, or a 4xx that is
 * application/problem+json with a code of the error table (lib/src/errors.ts) whose status it
 * has, and its `type`. Never a 5xx, never something else. `judge` returns what was answered,
 * or throws saying what broke the contract.
 */
import assert from 'node:assert/strict'
import { CODES, type ErrorCode } from '../../src/errors.js'
import { problemType } from '../../src/http/problem.js'
import type { FuzzResponse } from './target.js'

export type Answer =
  | { readonly kind: 'success'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'problem'; readonly status: number; readonly code: ErrorCode; readonly body: Readonly<Record<string, unknown>> }
  /** An answer to HEAD: no body to read the code from. */
  | { readonly kind: 'head'; readonly status: number }

const isCode = (code: unknown): code is ErrorCode => typeof code === 'string' && Object.hasOwn(CODES, code)

function parseJson(res: FuzzResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8'))
  } catch {
    return assert.fail(`${res.status} with a body that is not JSON: ${JSON.stringify(res.body.subarray(0, 200).toString('latin1'))}`)
  }
}

export function judge(res: FuzzResponse, method = 'GET'): Answer {
  const type = res.headers['content-type'] ?? ''
  if (method === 'HEAD') {
    assert.ok((res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500 && /^application\/problem\+json\b/.test(type)),
      `HEAD answered ${res.status} ${type}`)
    return { kind: 'head', status: res.status }
  }
  if (res.status >= 200 && res.status < 300) {
    return { kind: 'success', status: res.status, body: /json/.test(type) ? parseJson(res) : res.body.toString('utf8') }
  }
  const summary = `${res.status} ${type}: ${res.body.subarray(0, 300).toString('utf8')}`
  assert.ok(res.status >= 400 && res.status < 500, `neither 2xx nor 4xx: ${summary}`)
  assert.match(type, /^application\/problem\+json\b/, `a 4xx that is not problem+json: ${summary}`)
  const body = parseJson(res)
  assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), `problem body is not an object: ${summary}`)
  const problem = body as Record<string, unknown>
  assert.ok(isCode(problem.code), `code not in the error table: ${summary}`)
  const code = problem.code
  assert.equal(CODES[code].status, res.status, `${code} answered with ${res.status}, the table says ${CODES[code].status}`)
  assert.equal(problem.type, problemType(code), `type of ${code}`)
  assert.equal(problem.status, res.status, `status member of ${code}`)
  return { kind: 'problem', status: res.status, code, body: problem }
}

/** Answered by Node's HTTP parser (lib/src/http/problem.ts, problemClientErrorHandler), before any hook or route. */
export const PARSER_CODES: ReadonlySet<string> = new Set(['PIPELINE_REQUEST_MALFORMED', 'PIPELINE_HEADERS_TOO_LARGE', 'PIPELINE_REQUEST_TIMEOUT'])

/** Whether Node's parser refused the request before anyone read it (live only: inject() has no parser). */
export const byParser = (answer: Answer): boolean => answer.kind === 'problem' && PARSER_CODES.has(answer.code)

/** Codes a live server may answer whatever the input (backpressure, admission): the request is retried after Retry-After. */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([
  'PIPELINE_THROTTLED', 'PIPELINE_OVERLOADED', 'PIPELINE_LAG_CRITICAL', 'PIPELINE_LAG_UNKNOWN', 'PIPELINE_BROKER_UNAVAILABLE', 'PIPELINE_BROKER_UNCONFIRMED',
])

function problemCode(res: FuzzResponse): ErrorCode | undefined {
  try {
    const code: unknown = (JSON.parse(res.body.toString('utf8')) as { code?: unknown }).code
    return isCode(code) ? code : undefined
  } catch {
    return undefined
  }
}

/** A transient 429/503 of a live server (problem+json with a retriable code): not the input's fault. */
export function isTransient(res: FuzzResponse): boolean {
  if (res.status !== 429 && res.status !== 503) return false
  const code = problemCode(res)
  return code !== undefined && TRANSIENT_CODES.has(code)
}

/**
 * Under faults, any 429/503 whose code the error table marks retriable (a dependency down: the
 * API keys, the read model, the schema registry; a server shutting down) is not the input's
 * fault either.
 */
export function isRetriable(res: FuzzResponse): boolean {
  if (res.status !== 429 && res.status !== 503) return false
  const code = problemCode(res)
  return code !== undefined && CODES[code].retriable
}

/**
 * Evaluates a k6 script in Node: a resolve hook sends the `k6`, `k6/http`, `k6/crypto`,
 * `k6/encoding` and `k6/metrics` imports to the shim files beside this one, and k6's globals
 * (__ENV, __VU, __ITER, open) are set on globalThis. Each load is a fresh module instance (a
 * query string in its URL), because k6 scripts read __ENV when they are evaluated.
 */
import { readFileSync } from 'node:fs'
import { register } from 'node:module'
import { pathToFileURL } from 'node:url'

const shim = (file: string) => new URL(`./${file}`, import.meta.url).href
const MAP: Readonly<Record<string, string>> = {
  k6: shim('k6.ts'),
  'k6/http': shim('k6-http.ts'),
  'k6/crypto': shim('k6-crypto.ts'),
  'k6/encoding': shim('k6-encoding.ts'),
  'k6/metrics': shim('k6-metrics.ts'),
}
const HOOKS = `const map = ${JSON.stringify(MAP)}
export async function resolve(specifier, context, next) {
  return next(Object.hasOwn(map, specifier) ? map[specifier] : specifier, context) // tsx resolves the .ts shims
}`
register(`data:text/javascript,${encodeURIComponent(HOOKS)}`)

/** A k6 script's exports, as far as the tests use them. */
export interface K6Script {
  readonly options: { readonly scenarios: Readonly<Record<string, Readonly<Record<string, unknown>>>>; readonly thresholds: Readonly<Record<string, readonly string[]>> }
  readonly default: (data?: unknown) => void
  readonly setup?: () => unknown
  readonly teardown?: (data: unknown) => void
}

interface K6Globals {
  __ENV: Record<string, string>
  __VU: number
  __ITER: number
  open: (path: string) => string
}
const globals = globalThis as unknown as K6Globals
globals.open = (path) => readFileSync(path, 'utf8')

let loads = 0

export async function loadK6Script(path: string, env: Readonly<Record<string, string>> = {}): Promise<K6Script> {
  globals.__ENV = { ...env }
  globals.__VU = 0 // k6 evaluates the options in an init context of no VU
  globals.__ITER = 0
  return (await import(`${pathToFileURL(path).href}?load=${++loads}`)) as K6Script
}

/** Runs `iterations` iterations of the script's default function as VU `vu` (1-based, as in k6). */
export function iterate(script: K6Script, iterations: number, vu = 1, data?: unknown): void {
  globals.__VU = vu
  for (let i = 0; i < iterations; i++) {
    globals.__ITER = i
    script.default(data)
  }
}

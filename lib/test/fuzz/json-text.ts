/**
 * JSON as a fuzzer writes it, not as JSON.stringify would: keys in order and possibly repeated
 * (`__proto__` an ordinary key), numbers as literal text (`1e400`, 30 digits), strings escaped
 * or raw. `toJsonText` prints a tree; `sameJson` compares what a server kept with what was sent.
 */
import fc from 'fast-check'

/** How a counterexample prints: its JSON text, cut short. */
const shown = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text)

/** A number, or anything else, written exactly as its text. */
export class RawJson {
  constructor(readonly text: string) {}

  [fc.toStringMethod](): string {
    return `raw(${shown(this.text)})`
  }
}

/** An object with its entries in order; a key may repeat (the last one wins in JSON.parse). */
export class JsonObject {
  constructor(readonly entries: readonly (readonly [string, JsonTree])[]) {}

  get(key: string): JsonTree | undefined {
    return this.entries.findLast(([k]) => k === key)?.[1]
  }

  with(key: string, value: JsonTree): JsonObject {
    const i = this.entries.findIndex(([k]) => k === key)
    return new JsonObject(i < 0 ? [...this.entries, [key, value]] : this.entries.map((e, j) => (j === i ? [key, value] as const : e)))
  }

  without(key: string): JsonObject {
    return new JsonObject(this.entries.filter(([k]) => k !== key))
  }

  [fc.toStringMethod](): string {
    return `json(${shown(toJsonText(this))})`
  }
}

export type JsonTree = null | boolean | number | string | RawJson | JsonObject | readonly JsonTree[]

/** Plain data (as JSON.parse gives it) to a tree. */
export function fromPlain(value: unknown): JsonTree {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(fromPlain)
  if (typeof value === 'object') return new JsonObject(Object.entries(value).map(([k, v]) => [k, fromPlain(v)] as const))
  throw new TypeError(`not JSON data: ${typeof value}`)
}

/** JSON text; a lone surrogate in a string is escaped (\udXXX), as JSON.stringify does. */
export function toJsonText(tree: JsonTree): string {
  if (tree instanceof RawJson) return tree.text
  if (tree instanceof JsonObject) return `{${tree.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`
  if (Array.isArray(tree)) return `[${tree.map(toJsonText).join(',')}]`
  return JSON.stringify(tree)
}

/**
 * Whether what a server kept (`kept`) is what a client sent (`sent`, as JSON.parse reads it):
 * same keys and values; -0 and 0 are one number (JSON text cannot tell them apart), and objects
 * are compared by their own keys whatever their prototype (a decoded Avro record is a class).
 */
export function sameJson(sent: unknown, kept: unknown): boolean {
  if (typeof sent === 'number' && typeof kept === 'number') return sent === kept || (Number.isNaN(sent) && Number.isNaN(kept))
  if (sent === null || kept === null || typeof sent !== 'object' || typeof kept !== 'object') return sent === kept
  if (Array.isArray(sent) !== Array.isArray(kept)) return false
  const a = sent as Record<string, unknown>
  const b = kept as Record<string, unknown>
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]))
}

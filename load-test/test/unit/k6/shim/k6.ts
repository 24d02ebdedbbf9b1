/** Shim of `k6`: check records each named predicate's outcome; sleep and group do the obvious. */
import { k6State } from './state.js'

export function check<T>(value: T, sets: Readonly<Record<string, (v: T) => boolean>>): boolean {
  let all = true
  for (const [name, predicate] of Object.entries(sets)) {
    const ok = predicate(value)
    k6State.checks.push({ name, ok })
    all &&= ok
  }
  return all
}

export function sleep(_seconds: number): void {}

export function group<T>(_name: string, fn: () => T): T {
  return fn()
}

export function fail(message: string): never {
  throw new Error(message)
}

/** What the load-test commands share about their command lines. */

/** A bad command line: the command prints the message (and its usage) and exits 2. */
export class UsageError extends Error {}

/**
 * `raw` as a whole number ≥ `min` (digits, `_` allowed between them: 10_000_000), undefined
 * when absent; anything else is a UsageError naming `name`.
 */
export function wholeNumber(name: string, raw: string | undefined, o: { readonly min: number }): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw.replace(/_/g, ''))
  if (!/^\d+(?:_\d+)*$/.test(raw) || !Number.isSafeInteger(n) || n < o.min) {
    throw new UsageError(`${name} must be ${o.min === 1 ? 'a positive whole number' : `a whole number ≥ ${o.min}`}, got "${raw}"`)
  }
  return n
}

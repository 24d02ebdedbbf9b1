/**
 * The process' limit on open file descriptors (RLIMIT_NOFILE, soft), which bounds its sockets:
 * every HTTP connection holds one. Read from /proc/self/limits on Linux; elsewhere unknown
 * (undefined), and the caller says so. Read once, at start.
 */
import { readFileSync } from 'node:fs'

export interface FdLimit {
  /** The soft limit: what open() and accept() fail with EMFILE beyond. Infinity when unlimited. */
  readonly soft: number
  readonly hard: number
  readonly source: string
}

const LIMITS_FILE = '/proc/self/limits'

/** The `Max open files` line of a /proc/<pid>/limits text. */
export function parseFdLimit(text: string, source = LIMITS_FILE): FdLimit | undefined {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'))
  const match = line?.match(/^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/)
  if (!match?.[1] || !match[2]) return undefined
  const value = (s: string): number => (s === 'unlimited' ? Infinity : Number(s))
  return { soft: value(match[1]), hard: value(match[2]), source }
}

export function readFdLimit(file = LIMITS_FILE): FdLimit | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined // not Linux (or no /proc): the limit is unknown, and logged as such
  }
  return parseFdLimit(text, file)
}

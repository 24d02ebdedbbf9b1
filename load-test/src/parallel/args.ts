/**
 * `npm run load-test:parallel [clients] [events_per_min_per_client] [seconds=60] [options]`
 * (the old command line, kept as is) → a checked, frozen plan.
 */
import { parseArgs } from 'node:util'
import { UsageError, wholeNumber } from '../cli.js'

export interface Plan {
  readonly clients: number
  /** Processes the clients run in (round robin). */
  readonly processes: number
  /** Keep-alive connections per client: what it can have in flight (one request each). */
  readonly connections: number
  readonly eventsPerMinute: number
  readonly seconds: number
  readonly batchSize: number
  readonly url: string
  readonly runId: string
  readonly maxOutstanding: number
  readonly drainTimeoutSeconds: number
}

export const USAGE = `usage: npm run load-test:parallel [clients] [events_per_min_per_client] [seconds=60]
       npm run load-test:parallel -- [clients] [events_per_min_per_client] [seconds] [options]   (npm needs -- before options)
  e.g. npm run load-test:parallel 15 20000 60     (15 clients × 20,000 events/min = 5,000 events/s for 60 s)
options:
  --batch N            events per request (default 1: POST /events; more: POST /events/batch)
  --connections N      keep-alive connections per client, one request in flight on each (default 32)
  --processes N        processes the clients run in (default 1: on a small machine shared with the
                       pipeline, more processes cost more CPU than they add; raise it on a machine of its own)
  --url URL            producer-api (default $PRODUCER_URL or http://127.0.0.1:3000)
  --run-id ID          name of this run (default: the start time)
  --max-outstanding N  requests in flight per client before it counts sends as skipped (default 5000)
  --drain-timeout S    how long to wait for the sink to catch up (default 120)`

export { UsageError }

function positive(name: string, raw: string | undefined, fallback?: number): number {
  const value = wholeNumber(name, raw, { min: 1 }) ?? fallback
  if (value === undefined) throw new UsageError(`missing ${name}`)
  return value
}

export function parsePlan(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, now = new Date()): Plan {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        batch: { type: 'string' }, processes: { type: 'string' }, connections: { type: 'string' }, url: { type: 'string' }, 'run-id': { type: 'string' },
        'max-outstanding': { type: 'string' }, 'drain-timeout': { type: 'string' },
      },
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { positionals, values } = parsed
  if (positionals.length > 3) throw new UsageError(`too many arguments: ${positionals.join(' ')}`)
  const runId = values['run-id'] ?? now.toISOString().replace(/[:.]/g, '-')
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new UsageError(`--run-id may only use letters, digits, '.', '_' and '-'`)
  const url = values.url ?? env.PRODUCER_URL ?? 'http://127.0.0.1:3000'
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must be an http(s) URL, got "${url}"`)
  return Object.freeze({
    clients: positive('clients', positionals[0]),
    processes: positive('--processes', values.processes, 1),
    connections: positive('--connections', values.connections, 32),
    eventsPerMinute: positive('events_per_min_per_client', positionals[1]),
    seconds: positive('seconds', positionals[2], 60),
    batchSize: positive('--batch', values.batch, 1),
    url: url.replace(/\/$/, ''),
    runId,
    maxOutstanding: positive('--max-outstanding', values['max-outstanding'], 5000),
    drainTimeoutSeconds: positive('--drain-timeout', values['drain-timeout'], 120),
  })
}

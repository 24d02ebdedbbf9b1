/**
 * A load-test client process: runs the logical clients the coordinator gives it, each sending
 * its events on an open-model schedule through the project's client library with connections
 * of its own, and reporting each second to the coordinator.
 */
import { createEventsClient, type EventInput, type SendResult } from '../../../lib/src/client/events-client.js'
import { newEventId } from '../../../lib/src/ids.js'
import { serviceName, type Done, type Ready, type Start, type Tick, type Warm, type WorkerConfig, type WorkerGroup } from './messages.js'
import { dueRange, schedule } from './pacing.js'

function send(message: Ready | Warm | Tick | Done): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('the load-test worker must be started by the coordinator'))
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()))
  })
}

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (m: T) => resolve(m)))
}

async function run(config: WorkerConfig, started: Promise<Start>): Promise<void> {
  const service = serviceName(config.index)
  let throttled = 0
  const client = createEventsClient({
    url: config.url,
    connections: config.connections,
    maxAttempts: 6,
    onRetry: ({ status }) => { if (status === 429 || status === 503) throttled += config.batchSize },
  })
  await client.warmUp(config.connections)
  await send({ type: 'warm', index: config.index })
  const { startAt } = await started
  const plan = schedule(startAt, config.eventsPerMinute, config.batchSize, config.seconds)
  const acked: string[] = []
  const unacked: string[] = []
  let tick = { offered: 0, accepted: 0, failed: 0, rejected: 0, skipped: 0, latencies: [] as number[] }
  let outstanding = 0
  let next = 0
  let seq = 0
  let lastCompletedAt = Date.now()
  const pending = new Set<Promise<void>>()

  const event = (): EventInput => ({
    event_id: newEventId(), service, event_type: 'generic',
    payload: { run: config.runId, client: config.index, seq: seq++, note: 'load-test:parallel' },
  })

  function record(result: SendResult, ids: readonly string[], dueAt: number): void {
    const now = Date.now()
    lastCompletedAt = now
    tick.latencies.push(now - dueAt)
    switch (result.outcome) {
      case 'accepted':
        tick.accepted += ids.length
        for (const id of ids) acked.push(id)
        break
      case 'partial': {
        const ok = new Set(result.eventIds)
        for (const id of ids) (ok.has(id) ? acked : unacked).push(id)
        tick.accepted += ok.size
        tick.rejected += ids.length - ok.size
        break
      }
      case 'rejected':
        tick.rejected += ids.length
        break
      case 'failed':
        tick.failed += ids.length
        for (const id of ids) unacked.push(id)
        break
    }
  }

  function fire(k: number): void {
    const dueAt = plan.dueAt(k)
    tick.offered += config.batchSize
    if (outstanding >= config.maxOutstanding) {
      tick.skipped += config.batchSize
      return
    }
    const events = Array.from({ length: config.batchSize }, event)
    const ids = events.map((e) => e.event_id ?? '')
    outstanding++
    const p: Promise<void> = (config.batchSize === 1 ? client.send(events[0] ?? event()) : client.sendBatch(events))
      .then((result) => record(result, ids, dueAt))
      .finally(() => {
        outstanding--
        pending.delete(p)
      })
    pending.add(p)
  }

  const reporter = setInterval(() => {
    const t = tick
    tick = { offered: 0, accepted: 0, failed: 0, rejected: 0, skipped: 0, latencies: [] }
    void send({ type: 'tick', index: config.index, throttled, ...t })
    throttled = 0
  }, 1000)

  await new Promise<void>((resolve) => {
    const loop = (): void => {
      const { from, to } = dueRange(plan, next, Date.now())
      for (let k = from; k < to; k++) fire(k)
      next = to
      if (next >= plan.total) return resolve()
      setTimeout(loop, Math.max(0, Math.min(50, plan.dueAt(next) - Date.now())))
    }
    setTimeout(loop, Math.max(0, startAt - Date.now()))
  })
  while (pending.size > 0) await Promise.allSettled([...pending])
  clearInterval(reporter)
  await send({ type: 'tick', index: config.index, throttled, ...tick })
  await send({ type: 'done', index: config.index, service, acked, unacked, lastCompletedAt })
  await client.close()
}

void send({ type: 'ready', index: 0 })
process.once('message', (group: WorkerGroup) => {
  const started = nextMessage<Start>()
  Promise.all(group.clients.map((config) => run(config, started))).then(
    () => process.disconnect?.(),
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
      process.disconnect?.()
    },
  )
})

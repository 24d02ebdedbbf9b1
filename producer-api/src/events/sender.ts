/**
 * Shares produce requests between concurrent HTTP requests. The client sends one produce
 * request per send() call, so one request per event would cap throughput at one event per
 * broker round trip. Instead, events wait here (at most `lingerMs`, or until the in-flight
 * send returns) and go out together in one send with acks=all. With one send in flight
 * (the default), the client's retries cannot reorder a partition.
 *
 * Each caller learns the fate of its own events:
 * - resolved: the broker has them (acks=all);
 * - PIPELINE_BROKER_UNAVAILABLE: they were never handed to the broker (not written);
 * - PIPELINE_BROKER_UNCONFIRMED: handed over, then no ack in time or a failed send; they may
 *   be written, so the client retries with the same event ids (deduplicated downstream).
 */
import type { OutgoingRecord, RecordProducer } from '../../../lib/src/kafka/record-producer.js'
import { PipelineError } from '../../../lib/src/errors.js'
import type { SendConfig } from '../config.js'

export interface Sender {
  /** Resolves once the broker has acknowledged every message (acks=all). */
  send(messages: readonly OutgoingRecord[], bytes: number): Promise<void>
  /** Sends what is queued, waits for in-flight sends, refuses new ones. Idempotent. */
  close(): Promise<void>
  readonly pendingEvents: number
  readonly inFlightSends: number
}

interface Entry {
  readonly messages: readonly OutgoingRecord[]
  readonly bytes: number
  state: 'queued' | 'sent' | 'done'
  timer: NodeJS.Timeout | undefined
  resolve(): void
  reject(err: PipelineError): void
}

export interface SenderDeps {
  readonly producer: Pick<RecordProducer, 'send'>
  readonly config: SendConfig
  /** Called after each produce request: how many events, how long, and the error if it failed. */
  readonly onSent?: (info: { readonly events: number; readonly seconds: number; readonly error?: unknown }) => void
}

export function createSender({ producer, config, onSent }: SenderDeps): Sender {
  let queue: Entry[] = []
  let queuedEvents = 0
  let queuedBytes = 0
  let inFlight = 0
  let lingerTimer: NodeJS.Timeout | undefined
  let closing = false
  const idle: (() => void)[] = []

  function settle(entry: Entry, err?: PipelineError): void {
    if (entry.state === 'done') return
    entry.state = 'done'
    clearTimeout(entry.timer)
    if (err === undefined) entry.resolve()
    else entry.reject(err)
  }

  function unavailable(message: string, cause?: unknown): PipelineError {
    return new PipelineError('PIPELINE_BROKER_UNAVAILABLE', message, { cause, retryAfter: config.retryAfterSeconds })
  }

  function onTimeout(entry: Entry): void {
    if (entry.state === 'queued') {
      // Never handed to the broker: drop it from the queue, it will not be written.
      queue = queue.filter((e) => e !== entry)
      queuedEvents -= entry.messages.length
      queuedBytes -= entry.bytes
      settle(entry, unavailable(`broker busy or unreachable: not sent within ${config.ackTimeoutMs} ms`))
    } else {
      settle(entry, new PipelineError('PIPELINE_BROKER_UNCONFIRMED',
        `broker did not acknowledge within ${config.ackTimeoutMs} ms; retry with the same event ids`,
        { retryAfter: config.retryAfterSeconds }))
    }
  }

  function take(): Entry[] {
    const batch: Entry[] = []
    let events = 0
    let bytes = 0
    while (queue.length > 0) {
      const next = queue[0]
      if (next === undefined) break
      if (batch.length > 0 && (events + next.messages.length > config.maxEvents || bytes + next.bytes > config.maxBytes)) break
      queue.shift()
      batch.push(next)
      events += next.messages.length
      bytes += next.bytes
    }
    queuedEvents -= events
    queuedBytes -= bytes
    return batch
  }

  function flush(): void {
    clearTimeout(lingerTimer)
    lingerTimer = undefined
    while (queue.length > 0 && inFlight < config.maxInFlight) {
      const batch = take()
      const messages: OutgoingRecord[] = []
      for (const entry of batch) {
        entry.state = 'sent'
        for (const m of entry.messages) messages.push(m)
      }
      inFlight++
      const started = performance.now()
      const seconds = () => (performance.now() - started) / 1000
      producer
        .send(messages)
        .then(
          () => {
            onSent?.({ events: messages.length, seconds: seconds() })
            batch.forEach((entry) => settle(entry))
          },
          (err: unknown) => {
            onSent?.({ events: messages.length, seconds: seconds(), error: err })
            const error = new PipelineError('PIPELINE_BROKER_UNCONFIRMED',
              `the send failed after it went out (${(err as Error).message}); retry with the same event ids`,
              { cause: err, retryAfter: config.retryAfterSeconds })
            batch.forEach((entry) => settle(entry, error))
          },
        )
        .finally(() => {
          inFlight--
          if (queue.length > 0) schedule()
          else if (inFlight === 0) idle.splice(0).forEach((f) => f())
        })
    }
  }

  function schedule(): void {
    if (queuedEvents >= config.maxEvents || queuedBytes >= config.maxBytes || closing) return flush()
    if (inFlight >= config.maxInFlight || lingerTimer !== undefined) return // the returning send flushes
    lingerTimer = setTimeout(flush, config.lingerMs)
  }

  return {
    send(messages, bytes) {
      if (closing) return Promise.reject(new PipelineError('PIPELINE_SHUTTING_DOWN', 'shutting down', { retryAfter: config.retryAfterSeconds }))
      return new Promise<void>((resolve, reject) => {
        const entry: Entry = { messages, bytes, state: 'queued', timer: undefined, resolve, reject }
        entry.timer = setTimeout(onTimeout, config.ackTimeoutMs, entry)
        queue.push(entry)
        queuedEvents += messages.length
        queuedBytes += bytes
        schedule()
      })
    },

    async close() {
      closing = true
      flush()
      if (inFlight > 0 || queue.length > 0) await new Promise<void>((resolve) => idle.push(resolve))
    },

    get pendingEvents() {
      return queuedEvents
    },
    get inFlightSends() {
      return inFlight
    },
  }
}

/** What the load-test coordinator and its client processes tell each other (over IPC). */
export interface WorkerConfig {
  readonly index: number
  readonly url: string
  readonly eventsPerMinute: number
  readonly seconds: number
  readonly batchSize: number
  /** Keep-alive connections of this client (opened before the run starts). */
  readonly connections: number
  readonly maxOutstanding: number
  readonly runId: string
}

/** Coordinator → client process, once it has loaded: the logical clients it runs. */
export interface WorkerGroup {
  readonly clients: readonly WorkerConfig[]
}

/** Coordinator → client process, once every client has warmed up: when request 0 is due. */
export interface Start {
  readonly type: 'start'
  readonly startAt: number
}

/** Counts are events (a batch of 50 counts 50), over the second that just ended. */
export interface Tick {
  readonly type: 'tick'
  readonly index: number
  readonly offered: number
  readonly accepted: number
  /** 429/503 answers seen (each retried after its Retry-After). */
  readonly throttled: number
  /** Gave up after retries (outcome unknown). */
  readonly failed: number
  /** 4xx: the server refused the events as invalid. */
  readonly rejected: number
  /** Due but not sent: the client already had maxOutstanding requests in flight. */
  readonly skipped: number
  /** Latency (ms, from the due time) of each request that completed this second. */
  readonly latencies: readonly number[]
}

export interface Done {
  readonly type: 'done'
  readonly index: number
  readonly service: string
  readonly acked: readonly string[]
  /** Sent but never acknowledged (failed or still unknown): they may be stored. */
  readonly unacked: readonly string[]
  readonly lastCompletedAt: number
}

/** Sent once the process has loaded. */
export interface Ready {
  readonly type: 'ready'
  readonly index: number
}

/** Sent by each client once its connections are open. */
export interface Warm {
  readonly type: 'warm'
  readonly index: number
}

export type WorkerMessage = Ready | Warm | Tick | Done

export function serviceName(index: number): string {
  return `parallel-load-test-${index}`
}

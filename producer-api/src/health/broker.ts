/**
 * Readiness of the broker side: the broker answers metadata and the topic exists. The
 * answer is cached briefly so that probes cannot flood the broker.
 */
import type { Admin } from '../../../lib/src/kafka/types.js'

export interface BrokerProbeDeps {
  readonly admin: Pick<Admin, 'fetchTopicMetadata'>
  readonly topic: string
  readonly timeoutMs: number
  readonly cacheMs: number
}

export function createBrokerProbe({ admin, topic, timeoutMs, cacheMs }: BrokerProbeDeps) {
  let last: { at: number; ready: boolean; detail: string } | undefined
  let pending: Promise<{ ready: boolean; detail: string }> | undefined

  async function probe(): Promise<{ ready: boolean; detail: string }> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      const { topics } = await Promise.race([admin.fetchTopicMetadata({ topics: [topic] }), timeout])
      const partitions = topics[0]?.partitions.length ?? 0
      return partitions > 0 ? { ready: true, detail: `topic ${topic}: ${partitions} partitions` } : { ready: false, detail: `topic ${topic} missing` }
    } catch (err) {
      return { ready: false, detail: `broker: ${(err as Error).message}` }
    } finally {
      clearTimeout(timer)
    }
  }

  return async function check() {
    if (last !== undefined && Date.now() - last.at < cacheMs) return last
    pending ??= probe().finally(() => { pending = undefined })
    const result = await pending
    last = { at: Date.now(), ...result }
    return result
  }
}

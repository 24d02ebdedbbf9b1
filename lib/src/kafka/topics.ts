import type { Admin, ITopicConfig } from './types.js'
import { invalidConfig, type KafkaConfig } from '../config.js'
import { PipelineError } from '../errors.js'

/** `auto` replicates to every broker, up to this many: three copies survive one broker lost and one being restarted. */
export const AUTO_REPLICATION_FACTOR_MAX = 3
/** The default min.insync.replicas, or the replication factor if smaller: acks=all then means two copies. */
export const DEFAULT_MIN_INSYNC_REPLICAS = 2

export interface Replication {
  readonly factor: number
  readonly minInsync: number
}

/**
 * The replication of the topics on a cluster of `brokers` live brokers: on one broker 1 and 1,
 * on three or more 3 and 2 (unless configured). A factor above the broker count is refused here,
 * naming the variable, rather than by the broker.
 */
export function resolveReplication(config: Pick<KafkaConfig, 'replicationFactor' | 'minInsyncReplicas'>, brokers: number): Replication {
  const factor = config.replicationFactor === 'auto' ? Math.max(1, Math.min(AUTO_REPLICATION_FACTOR_MAX, brokers)) : config.replicationFactor
  if (factor > brokers) {
    throw invalidConfig('KAFKA_REPLICATION_FACTOR', `${factor} replicas need as many brokers; the cluster has ${brokers} live`)
  }
  const minInsync = config.minInsyncReplicas ?? Math.min(DEFAULT_MIN_INSYNC_REPLICAS, factor)
  if (minInsync > factor) {
    throw invalidConfig('KAFKA_MIN_INSYNC_REPLICAS', `must not exceed the replication factor (${factor}), got ${minInsync}`)
  }
  return { factor, minInsync }
}

/** The topic and its dead-letter topic, with every setting explicit (never broker defaults). */
export function topicSpecs(config: KafkaConfig, replication: Replication): ITopicConfig[] {
  const common = [
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'max.message.bytes', value: String(config.maxMessageBytes) },
    { name: 'min.insync.replicas', value: String(replication.minInsync) },
  ]
  return [
    {
      topic: config.topic,
      numPartitions: config.partitions,
      replicationFactor: replication.factor,
      configEntries: [...common, { name: 'retention.ms', value: String(config.retentionMs) }],
    },
    {
      topic: config.dlqTopic,
      numPartitions: 1,
      replicationFactor: replication.factor,
      // Dead letters wait for an operator: keep them four times longer than the events.
      configEntries: [...common, { name: 'retention.ms', value: config.retentionMs < 0 ? '-1' : String(config.retentionMs * 4) }],
    },
  ]
}

export interface EnsureTopicsResult {
  readonly created: readonly string[]
  readonly existing: readonly string[]
  /** What created topics got (existing ones are left as they are). */
  readonly replication: Replication
  /** Existing topics with fewer replicas than a new one would get (grown onto a cluster: reassign them). */
  readonly underReplicated: readonly { readonly topic: string; readonly replicas: number }[]
}

/** How long created topics may take to have a leader for every partition. */
export const LEADERS_TIMEOUT_MS = 30_000

const retriable = (err: unknown): boolean => err !== null && typeof err === 'object' && (err as { retriable?: unknown }).retriable === true

/**
 * Waits until every partition of `topics` has a leader in the metadata. kafkajs' own wait
 * (createTopics' waitForLeaders) gives up on UNKNOWN_TOPIC_OR_PARTITION, which a broker of a
 * cluster answers until the controller's new topic has reached it.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADERS_TIMEOUT_MS
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] })
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return
    } catch (err) {
      if (!retriable(err)) throw err
      last = err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new PipelineError('PIPELINE_BROKER_UNAVAILABLE', `topics ${topics.join(', ')} have no leader for every partition after ${LEADERS_TIMEOUT_MS} ms`, { cause: last })
}

/** Creates the topics that are missing; leaves existing ones as they are, and reports those with fewer replicas. */
export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<EnsureTopicsResult> {
  const [names, cluster] = await Promise.all([admin.listTopics(), admin.describeCluster()])
  const replication = resolveReplication(config, cluster.brokers.length)
  const existing = new Set(names)
  const specs = topicSpecs(config, replication)
  const missing = specs.filter((spec) => !existing.has(spec.topic))
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: false })
    await waitForLeaders(admin, missing.map((s) => s.topic))
  }
  const kept = specs.filter((s) => existing.has(s.topic)).map((s) => s.topic)
  const metadata = kept.length > 0 ? (await admin.fetchTopicMetadata({ topics: kept })).topics : []
  const underReplicated = metadata.flatMap(({ name, partitions }) => {
    const replicas = Math.min(...partitions.map((p) => p.replicas.length))
    return replicas < replication.factor ? [{ topic: name, replicas }] : []
  })
  return { created: missing.map((s) => s.topic), existing: kept, replication, underReplicated }
}

import type { Admin, ITopicConfig } from './types.js'
import type { KafkaConfig } from '../config.js'

/** The topic and its dead-letter topic, with every setting explicit (never broker defaults). */
export function topicSpecs(config: KafkaConfig): ITopicConfig[] {
  const common = [
    { name: 'cleanup.policy', value: 'delete' },
    { name: 'max.message.bytes', value: String(config.maxMessageBytes) },
    { name: 'min.insync.replicas', value: String(Math.min(2, config.replicationFactor)) },
  ]
  return [
    {
      topic: config.topic,
      numPartitions: config.partitions,
      replicationFactor: config.replicationFactor,
      configEntries: [...common, { name: 'retention.ms', value: String(config.retentionMs) }],
    },
    {
      topic: config.dlqTopic,
      numPartitions: 1,
      replicationFactor: config.replicationFactor,
      // Dead letters wait for an operator: keep them four times longer than the events.
      configEntries: [...common, { name: 'retention.ms', value: config.retentionMs < 0 ? '-1' : String(config.retentionMs * 4) }],
    },
  ]
}

export interface EnsureTopicsResult {
  readonly created: readonly string[]
  readonly existing: readonly string[]
}

/** Creates the topics that are missing; leaves existing ones as they are. */
export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<EnsureTopicsResult> {
  const existing = new Set(await admin.listTopics())
  const specs = topicSpecs(config)
  const missing = specs.filter((spec) => !existing.has(spec.topic))
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true })
  return {
    created: missing.map((s) => s.topic),
    existing: specs.filter((s) => existing.has(s.topic)).map((s) => s.topic),
  }
}

/**
 * The local Kafka cluster of scripts/kafka/cluster.sh for the failure test: start it if needed,
 * kill -9 and restart brokers, read partition leaders and ISRs, reassign partitions.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import type { Admin } from '../../../lib/src/kafka/types.js'
import { waitFor } from '../../../lib/test/helpers/services.js'

const run = promisify(execFile)
const CLUSTER = join(PROJECT_ROOT, 'scripts', 'kafka', 'cluster.sh')

async function cluster(...args: string[]): Promise<string> {
  return (await run('bash', [CLUSTER, ...args], { timeout: 180_000 })).stdout.trim()
}

export interface LocalCluster {
  /** Bootstrap list, e.g. 127.0.0.1:19092,… */
  readonly brokers: readonly string[]
  /** Broker ids (node.id) 1..n. */
  readonly ids: readonly number[]
  /** Whether this call started it (and so should stop it). */
  readonly startedHere: boolean
}

export async function clusterUp(): Promise<LocalCluster> {
  const before = await cluster('status')
  const allUp = /^broker \d+ up/m.test(before) && !/ down$/m.test(before)
  if (!allUp) await cluster('up')
  const brokers = (await cluster('brokers')).split(',')
  return { brokers, ids: brokers.map((_, i) => i + 1), startedHere: !allUp }
}

export const clusterDown = () => cluster('down')
export const killBroker = (id: number) => cluster('kill', String(id))
/** Resolves once the broker says it started (unfenced by the quorum). */
export const startBroker = (id: number) => cluster('start', String(id))

export interface PartitionState {
  readonly partition: number
  readonly leader: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
}

export async function partitionStates(admin: Admin, topic: string): Promise<PartitionState[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
  return (topics[0]?.partitions ?? [])
    .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
    .sort((a, b) => a.partition - b.partition)
}

/** Waits until every partition has all its replicas in sync; resolves with how long it took. */
export async function waitForFullIsr(admin: Admin, topic: string, timeoutMs = 120_000): Promise<number> {
  const started = Date.now()
  let last: PartitionState[] = []
  await waitFor(async () => {
    last = await partitionStates(admin, topic).catch(() => [])
    return last.length > 0 && last.every((p) => p.isr.length === p.replicas.length && p.leader >= 0)
  }, { timeoutMs, intervalMs: 250, message: `every replica of ${topic} in sync (${JSON.stringify(last)})` })
  return Date.now() - started
}

/**
 * Moves partitions onto the given replica lists with the Admin API (AlterPartitionReassignments),
 * then waits until the cluster reports no reassignment in progress for them and the new lists
 * in the metadata; resolves with how long that took.
 */
export async function reassign(admin: Admin, topic: string, moves: readonly { partition: number; replicas: number[] }[], timeoutMs = 120_000): Promise<number> {
  const started = Date.now()
  await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: moves.map((m) => ({ partition: m.partition, replicas: m.replicas })) }] })
  const partitions = moves.map((m) => m.partition)
  await waitFor(async () => {
    const ongoing = await admin.listPartitionReassignments({ topics: [{ topic, partitions }] })
    if (ongoing.topics.some((t) => t.partitions.length > 0)) return false
    const states = await partitionStates(admin, topic)
    return moves.every((m) => {
      const state = states.find((s) => s.partition === m.partition)
      return state !== undefined && [...state.replicas].sort().join() === [...m.replicas].sort().join() && state.isr.length === m.replicas.length
    })
  }, { timeoutMs, intervalMs: 250, message: `the reassignment of ${topic} ${JSON.stringify(moves)}` })
  return Date.now() - started
}

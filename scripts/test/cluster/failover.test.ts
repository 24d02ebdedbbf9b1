/**
 * The pipeline on a three-broker Kafka cluster (scripts/kafka/cluster.sh) under load, with its own
 * topic, group and Postgres database: provisioning gives the topics 3 replicas and
 * min.insync.replicas 2; two producer instances (producer-api's producer, acks=all) and two sink
 * processes run while the leader of a busy partition is killed with -9, then a second broker (no
 * produce may be acknowledged while only one replica is left), both are restarted, and the busy
 * leader's partitions are reassigned away from it and back. Every send is recorded as
 * acknowledged, rejected or unknown; every acknowledged event must be in Postgres exactly once,
 * unknown ones at most once, rejected ones not at all. Figures: results/cluster-<time>/.
 *
 * Not part of npm test (three more JVMs and about three minutes): npm run test:cluster.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import pg from 'pg'
import { parseKafkaConfig, parseMysqlConfig } from '../../../lib/src/config.js'
import { createRecordProducer } from '../../../lib/src/kafka/record-producer.js'
import { createScratchDatabase } from '../../../lib/src/mysql/scratch.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { connectAdmin, uniqueName, waitFor } from '../../../lib/test/helpers/services.js'
import { lifo } from './cleanup.js'
import { clusterDown, clusterUp, killBroker, partitionStates, reassign, startBroker, waitForFullIsr } from './cluster.js'
import { errorCodes, eventsByOutcome, recoveryMs, sendsWith, verdict, writeClusterResults, type Fault } from './figures.js'
import { keysByPartition, sendOnce, startProducerLoad, type Send } from './load.js'
import { keepSink, scratchPostgres } from './sinks.js'

const run = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const PARTITIONS = 6
/** Events per second of each producer instance (CLUSTER_TEST_RATE). */
const RATE = Number(process.env.CLUSTER_TEST_RATE ?? 1000)
const BATCH = 20
const RECOVERY_TIMEOUT_MS = 90_000

test('a three-broker cluster under load: kill -9 of a leader and of a second broker, restarts, a reassignment; no acknowledged event lost or duplicated', { timeout: 900_000 }, async (t) => {
  const startedAt = new Date()
  const defer = lifo(t)
  const local = await clusterUp()
  defer(async () => {
    if (local.startedHere && process.env.KEEP_CLUSTER === undefined) await clusterDown()
  })

  // Provisioning, pointed at the cluster, in databases of the test's own.
  const topic = uniqueName('cluster-events')
  const group = uniqueName('cluster-sink')
  const databaseUrl = await scratchPostgres(defer)
  const mysql = await createScratchDatabase(parseMysqlConfig(process.env))
  defer(() => mysql.drop())
  const env = { KAFKA_BROKERS: local.brokers.join(','), KAFKA_TOPIC: topic, KAFKA_TOPIC_PARTITIONS: String(PARTITIONS), DATABASE_URL: databaseUrl, MYSQL_URL: mysql.config.url }
  const kafka = parseKafkaConfig(env, 'cluster-test')
  const admin = await connectAdmin(t, kafka)
  // KEEP_TEST_TOPICS=1 keeps them for a post-mortem.
  defer(() => process.env.KEEP_TEST_TOPICS === undefined ? admin.deleteTopics({ topics: [kafka.topic, kafka.dlqTopic] }) : undefined)
  await run(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'provision.ts')], { cwd: PROJECT_ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' } })
  // Every broker answers for the new topics once the controller's records have reached it.
  let described: unknown = ''
  await waitFor(async () => {
    try {
      const states = await Promise.all([kafka.topic, kafka.dlqTopic].map((name) => partitionStates(admin, name)))
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [kafka.topic, kafka.dlqTopic].map((name) => ({ type: 2, name, configNames: ['min.insync.replicas'] })) })
      described = JSON.stringify({ replicas: states.map((ps) => ps.map((p) => p.replicas.length)), minIsr: configs.resources.map((r) => r.configEntries[0]?.configValue) })
      return true
    } catch (err) {
      described = err
      return false
    }
  }, { timeoutMs: 30_000, message: 'the new topics described by the cluster' })
  assert.equal(described, JSON.stringify({ replicas: [Array(PARTITIONS).fill(3), [3]], minIsr: ['2', '2'] }), 'provisioning on the cluster: 3 replicas, min.insync.replicas 2')

  // Two sinks, two producers.
  const sinkEnv = { ...env, SINK_GROUP_ID: group, SINK_SESSION_TIMEOUT_MS: '6000' }
  const sinks = [await keepSink(t, defer, sinkEnv), await keepSink(t, defer, sinkEnv)]
  const keys = keysByPartition(PARTITIONS)
  const loads = ['producer-a', 'producer-b'].map((name) => startProducerLoad({ name, kafka, keys, rate: RATE, batchSize: BATCH }))
  defer(() => Promise.all(loads.map((l) => l.stop())))
  const sends = (): Send[] => loads.flatMap((l) => l.sends)
  const faults: Fault[] = []
  const mark = (name: string, note?: string): Fault => {
    const fault: Fault = { name, at: Date.now(), ...(note === undefined ? {} : { note }) }
    faults.push(fault)
    t.diagnostic(`${new Date(fault.at).toISOString()} ${name}${note ? ` (${note})` : ''}`)
    return fault
  }
  /** Waits until every partition acknowledged a send started after the fault; records how long that took. */
  const recovered = async (fault: Fault): Promise<number | undefined> => {
    await waitFor(() => (fault.recoveryMs = recoveryMs(sends(), fault.at, PARTITIONS)) !== undefined,
      { timeoutMs: RECOVERY_TIMEOUT_MS, intervalMs: 200, message: `every partition acknowledging after ${fault.name}` })
    t.diagnostic(`  every partition acknowledging ${fault.recoveryMs} ms after ${fault.name}`)
    return fault.recoveryMs
  }
  const leaderOf = async (partition: number) => (await partitionStates(admin, topic)).find((p) => p.partition === partition)?.leader ?? -1

  await sleep(6000)
  const acked = new Map<number, number>()
  for (const s of sends()) if (s.outcome === 'acknowledged') acked.set(s.partition, (acked.get(s.partition) ?? 0) + s.ids.length)
  const busy = [...acked].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0

  // 1. kill -9 of the leader of the busy partition.
  const first = await leaderOf(busy)
  assert.ok(local.ids.includes(first), `partition ${busy} has a leader: ${first}`)
  await killBroker(first) // resolves once the process is gone
  const kill1 = mark(`kill -9 broker ${first}`, `leader of partition ${busy}`)
  const recovery1 = await recovered(kill1)
  await sleep(3000)

  // 2. kill -9 of a second broker: the new leader of the same partition. One replica is left:
  //    nothing may be acknowledged until a second one is back.
  let second = first
  await waitFor(async () => local.ids.includes(second = await leaderOf(busy)) && second !== first,
    { timeoutMs: 30_000, intervalMs: 250, message: `partition ${busy} led by another broker than ${first}` })
  await killBroker(second)
  const kill2 = mark(`kill -9 broker ${second}`, `new leader of partition ${busy}; two of three down`)
  await sleep(3000)
  const probeProducer = createRecordProducer({ ...kafka, clientId: 'cluster-probe', requestTimeoutMs: 5000 }, topic, { retries: 0 })
  const probe = await Promise.all(keys.map((key, partition) => sendOnce(probeProducer, 'probe', partition, key, 1)))
  await probeProducer.close()
  await sleep(Math.max(0, kill2.at + 15_000 - Date.now()))

  // 3. restarts: the first broker (behind: it must catch up before it counts), then the second.
  const restart1 = mark(`start broker ${first}`, 'a second replica is back')
  await startBroker(first)
  const ackedWhileTwoDown = sends().filter((s) => s.outcome === 'acknowledged' && s.endedAt > kill2.at + 1000 && s.endedAt < restart1.at).length
  await recovered(restart1)
  await recovered(kill2) // the outage itself: until the restarted broker was back in sync
  const restart2 = mark(`start broker ${second}`)
  await startBroker(second)
  await recovered(restart2)
  const fullIsr = await waitForFullIsr(admin, topic)
  t.diagnostic(`every replica in sync ${fullIsr} ms later`)

  // 4. reassignment under load: the busy partition's leader loses its partitions, then gets them back.
  const mover = await leaderOf(busy)
  const led = (await partitionStates(admin, topic)).filter((p) => p.leader === mover)
  const away = mark(`reassign ${led.length} partitions off broker ${mover}`, `partitions ${led.map((p) => p.partition).join(',')}: replicas 3 → 2, leader moves`)
  const awayMs = await reassign(admin, topic, led.map((p) => ({ partition: p.partition, replicas: p.replicas.filter((r) => r !== mover) })))
  away.note += `; done in ${awayMs} ms`
  await recovered(away)
  const back = mark(`reassign them back onto broker ${mover}`, 'replicas 2 → 3: the log is copied to it under load')
  const backMs = await reassign(admin, topic, led.map((p) => ({ partition: p.partition, replicas: [...p.replicas.filter((r) => r !== mover), mover] })))
  back.note += `; done in ${backMs} ms`
  await recovered(back)
  await sleep(3000)

  // Stop the load, let the sinks drain everything in the log, then compare.
  await Promise.all(loads.map((l) => l.stop()))
  const loadSeconds = (Date.now() - (sends().reduce((min, s) => Math.min(min, s.startedAt), Infinity))) / 1000
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
  defer(() => pool.end())
  const offsets = await admin.fetchTopicOffsets(topic)
  await waitFor(async () => {
    const { rows } = await pool.query<{ partition: number; next_offset: string }>('SELECT partition, next_offset FROM sink_offsets WHERE consumer_group = $1 AND topic = $2', [group, topic])
    return offsets.every((o) => BigInt(rows.find((r) => r.partition === o.partition)?.next_offset ?? -1) >= BigInt(o.high))
  }, { timeoutMs: 120_000, intervalMs: 500, message: 'the sinks to store everything in the log' })
  sinks.forEach((s) => s.release())
  const { rows } = await pool.query<{ id: string; partition: number }>('SELECT event_id::text AS id, kafka_partition AS partition FROM events')
  const stored = new Map<string, number>()
  const storedPartition = new Map<string, number>()
  for (const r of rows) {
    stored.set(r.id, (stored.get(r.id) ?? 0) + 1)
    storedPartition.set(r.id, r.partition)
  }
  const all = [...sends(), ...probe]
  const result = verdict(all, stored)
  const misplaced = all.flatMap((s) => s.ids.filter((id) => storedPartition.has(id) && storedPartition.get(id) !== s.partition)).length

  const summary = {
    startedAt: startedAt.toISOString(),
    brokers: local.brokers,
    topic,
    partitions: PARTITIONS,
    replication: { factor: 3, minInsync: 2 },
    producers: loads.map((l) => l.name),
    sinks: sinks.length,
    seconds: loadSeconds,
    sends: all.length,
    events: eventsByOutcome(all),
    byProducer: Object.fromEntries(loads.map((l) => [l.name, eventsByOutcome(l.sends)])),
    lost: result.lost.length,
    duplicated: result.duplicated.length,
    unknownStored: result.unknownStored,
    rejectedStored: result.rejectedStored.length,
    recordsInLog: offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0),
    rowsStored: rows.length,
    ackedWhileTwoDown,
    probe: probe.map((p) => ({ partition: p.partition, outcome: p.outcome, codes: p.codes, ms: p.endedAt - p.startedAt })),
    faults,
    errorCodes: errorCodes(all),
    sinkRestarts: sinks.reduce((n, s) => n + s.restarts(), 0),
    suspectSends: sendsWith(all, [...result.lost, ...result.rejectedStored]),
  }
  const dir = writeClusterResults(summary)
  t.diagnostic(`figures in ${dir}: ${JSON.stringify({ events: summary.events, lost: summary.lost, duplicated: summary.duplicated, unknownStored: summary.unknownStored, recovery: faults.map((f) => [f.name, f.recoveryMs]) })}`)

  assert.ok(summary.events.acknowledged > 10_000, `only ${summary.events.acknowledged} events acknowledged`)
  assert.deepEqual(result.lost.slice(0, 5), [], `${result.lost.length} acknowledged events missing from Postgres`)
  assert.deepEqual(result.duplicated.slice(0, 5), [], `${result.duplicated.length} events stored more than once`)
  assert.deepEqual(result.rejectedStored.slice(0, 5), [], `${result.rejectedStored.length} rejected events stored`)
  assert.equal(result.foreign, 0, 'rows this run never sent')
  assert.equal(misplaced, 0, 'every stored event on the partition its send went to')
  assert.equal(ackedWhileTwoDown, 0, 'no send acknowledged while only one broker was up')
  for (const p of probe) assert.notEqual(p.outcome, 'acknowledged', `probe to partition ${p.partition} with two brokers down was acknowledged`)
  assert.ok(recovery1 !== undefined && recovery1 < RECOVERY_TIMEOUT_MS)
})

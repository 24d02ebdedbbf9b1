/**
 * What can be checked of the compose stack without a Docker engine: the file is valid for
 * docker-compose, every image is pinned and every build context exists, every variable has a
 * value, the services' environment passes the services' own config parsers, ports match
 * DESIGN.md, Prometheus scrapes the services by their compose names, memory limits fit a
 * 4 GB node and every Node service's heap fits its limit, and the Dockerfile passes hadolint.
 * The same for the three-broker override (docker-compose.cluster.yml): three Redpanda brokers,
 * every service bootstrapping from all three, topics provisioned with 3 replicas and
 * min.insync.replicas 2.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { parseConsumerConfig, parseProjectorConfig } from '../../../consumer/src/config.js'
import { LOCAL_SIGNING_SECRET, parseQueryConfig } from '../../../query-api/src/config.js'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'
import { parseKafkaConfig, parseMysqlConfig, parsePostgresConfig } from '../../../lib/src/config.js'
import { resolveReplication } from '../../../lib/src/kafka/topics.js'
import { parseProducerApiConfig } from '../../../producer-api/src/config.js'

const run = promisify(execFile)
const DIR = join(PROJECT_ROOT, 'compose')
const FILE = join(DIR, 'docker-compose.yml')
const CLUSTER_FILE = join(DIR, 'docker-compose.cluster.yml')
const ENV_FILE = join(DIR, '.env.example')

interface Service {
  image?: string
  build?: { context: string; dockerfile: string }
  environment?: Record<string, string | null>
  ports?: (string | { published: string | number; target: string | number })[]
  mem_limit?: string | number
  healthcheck?: unknown
  restart?: string
}

const fileArgs = (files: readonly string[]) => files.flatMap((f) => ['-f', f])

async function resolved(files: readonly string[] = [FILE]): Promise<{ services: Record<string, Service> }> {
  const { stdout } = await run('docker-compose', [...fileArgs(files), '--env-file', ENV_FILE, 'config'], { cwd: PROJECT_ROOT })
  return parse(stdout) as { services: Record<string, Service> }
}

/** docker-compose accepts the files; every image is pinned; build contexts exist; health checks and restart policies. */
async function assertWellFormed(files: readonly string[]): Promise<Record<string, Service>> {
  await run('docker-compose', [...fileArgs(files), '--env-file', ENV_FILE, 'config', '-q'], { cwd: PROJECT_ROOT })
  const { services } = await resolved(files)
  for (const [name, s] of Object.entries(services)) {
    assert.ok(s.image, `${name} names an image`)
    if (!s.build) assert.match(s.image ?? '', /:[\w.-]+$/, `${name}: image pinned to a tag`)
    assert.doesNotMatch(s.image ?? '', /:latest$/, `${name}: not :latest`)
    if (s.build) {
      assert.ok(existsSync(s.build.context), `${name}: build context ${s.build.context}`)
      assert.ok(existsSync(join(s.build.context, s.build.dockerfile)), `${name}: ${s.build.dockerfile}`)
    }
    if (name !== 'provision') assert.ok(s.healthcheck, `${name} has a health check`)
    assert.ok(s.restart, `${name} has a restart policy`)
  }
  return services
}

/** The sum of the memory limits (each service must have one). */
function memoryLimits(services: Record<string, Service>): number {
  let total = 0
  for (const [name, s] of Object.entries(services)) {
    const limit = bytes(s.mem_limit)
    assert.ok(Number.isFinite(limit) && limit > 0, `${name} has a memory limit`)
    total += limit
  }
  return total
}

function bytes(limit: string | number | undefined): number {
  if (typeof limit === 'number') return limit
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(limit ?? '')
  if (!m) return Number.NaN
  return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[(m[2] ?? '').toLowerCase()]
}

test('docker-compose accepts the file; every image is pinned; every build context and Dockerfile exists', async () => {
  await assertWellFormed([FILE])
})

test('every variable has a value, and the Node services pass their own config parsers', async () => {
  const raw = readFileSync(FILE, 'utf8')
  const example = readFileSync(ENV_FILE, 'utf8')
  for (const [, name] of raw.matchAll(/\$\{(\w+)\}/g)) assert.match(example, new RegExp(`^${name}=.+$`, 'm'), `${name} in .env.example`)
  const { services } = await resolved()
  for (const [name, s] of Object.entries(services)) {
    for (const [key, value] of Object.entries(s.environment ?? {})) assert.ok(value !== null && value !== '', `${name}: ${key} has a value`)
  }
  const env = (name: string) => Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, v ?? undefined]))
  const api = parseProducerApiConfig(env('producer-api'))
  assert.equal(api.host, '0.0.0.0')
  assert.deepEqual(api.kafka.brokers, ['redpanda:29092'])
  const consumer = parseConsumerConfig(env('consumer'))
  assert.match(consumer.postgres.url, /@postgres:5432\/aurore_events$/)
  assert.equal(consumer.metrics.host, '0.0.0.0')
  const projector = parseProjectorConfig(env('projector'))
  assert.match(projector.mysql.url, /@forecap-mysql:3306\/forecap_db$/)
  assert.equal(projector.redis.url, 'redis://forecap-redis:6379')
  assert.deepEqual([projector.metrics.host, projector.metrics.port], ['0.0.0.0', 9465])
  const query = parseQueryConfig(env('query-api'))
  assert.deepEqual([query.host, query.port], ['0.0.0.0', 3002])
  assert.notEqual(query.signature.secret, LOCAL_SIGNING_SECRET)
  parseMysqlConfig(env('provision'))
  assert.equal(parseKafkaConfig(env('provision'), 'provision').partitions, 6)
  parsePostgresConfig(env('provision'))
})

test('ports and names match DESIGN.md; Prometheus scrapes the services by name', async () => {
  const { services } = await resolved()
  const published = (name: string) => (services[name]?.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`))
  const has = (name: string, host: string, container: string) =>
    assert.ok(published(name).some((p) => p.endsWith(`${host}:${container}`) || p.endsWith(`${host}:${container}/tcp`)), `${name} publishes ${host}→${container}: ${published(name).join(', ')}`)
  has('producer-api', '3000', '3000')
  has('query-api', '3002', '3002')
  has('grafana', '3001', '3000')
  has('prometheus', '9090', '9090')
  has('redpanda', '9092', '9092')
  has('redpanda', '8081', '8081')
  has('redpanda', '9644', '9644')
  assert.ok(services.postgres && services['forecap-mysql'] && services['forecap-redis'])
  assert.equal(services.postgres?.environment?.POSTGRES_USER, 'admin')
  assert.equal(services['forecap-mysql']?.environment?.MARIADB_USER, 'forecap_user')
  assert.equal(services['forecap-mysql']?.environment?.MARIADB_DATABASE, 'forecap_db')
  const scrape = readFileSync(join(PROJECT_ROOT, 'monitoring', 'prometheus', 'prometheus.compose.yml'), 'utf8')
  assert.match(scrape, /producer-api:3000/)
  assert.match(scrape, /consumer:9464/)
  assert.match(scrape, /projector:9465/)
  assert.match(scrape, /query-api:3002/)
  const redpanda = (services.redpanda as { command?: string[] } | undefined)?.command ?? []
  assert.ok(redpanda.includes('start') && !redpanda.some((arg) => /--mode|dev-container/.test(arg)), 'Redpanda runs in production mode (fsync)')
})

test('memory limits fit a 4 GB node', async (t) => {
  const { services } = await resolved()
  const total = memoryLimits(services)
  t.diagnostic(`memory limits add up to ${(total / 1024 ** 2).toFixed(0)} MiB of 4096`)
  assert.ok(total <= 3.5 * 1024 ** 3, `${(total / 1024 ** 3).toFixed(2)} GiB leaves too little to the OS`)
})

test('every Node service caps its heap well under its memory limit (V8 sizes it from the host otherwise)', async () => {
  const { services } = await resolved()
  const node = Object.entries(services).filter(([, s]) => s.image === 'event-pipeline:local')
  assert.ok(node.length >= 5, 'the services built from our image')
  for (const [name, s] of node) {
    const heap = /--max-old-space-size=(\d+)/.exec(s.environment?.NODE_OPTIONS ?? '')
    assert.ok(heap, `${name}: NODE_OPTIONS sets --max-old-space-size`)
    const heapBytes = Number(heap[1]) * 1024 ** 2
    // The rest of the limit is for what is not the old space: young space, code, buffers, the stacks.
    assert.ok(heapBytes <= 0.65 * bytes(s.mem_limit), `${name}: a ${heap[1]} MiB heap leaves too little of ${String(s.mem_limit)}`)
  }
})

test('producer-api needs a key in production, and the image can make the first one (the documented command)', async () => {
  const { services } = await resolved()
  const env = (name: string) => Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, v ?? undefined]))
  const api = parseProducerApiConfig(env('producer-api'))
  assert.equal(api.auth.requireKeys, true, 'NODE_ENV=production: no start without a key')
  assert.match(api.auth.postgres.url, /@postgres:5432\/aurore_events$/)
  assert.equal(api.auth.redis.url, 'redis://forecap-redis:6379')
  assert.match(parsePostgresConfig(env('provision')).url, /@postgres:5432\/aurore_events$/, 'provision (which runs the keys command) reaches the keys\' table')
  const compose = readFileSync(FILE, 'utf8')
  assert.match(compose, /run --rm provision \\\n#\s+node dist\/scripts\/keys\.js create --name <source> --services <service,\.\.\.>/)
  assert.match(readFileSync(join(DIR, 'Dockerfile'), 'utf8'), /^COPY scripts\/provision\.ts scripts\/keys\.ts \.\/scripts\/$/m, 'the image builds dist/scripts/keys.js')
  assert.ok(existsSync(join(PROJECT_ROOT, 'scripts', 'keys.ts')))
})

test('the Dockerfile passes hadolint', async () => {
  const { stdout } = await run('python3', ['-c', "import sysconfig; print(sysconfig.get_path('scripts'))"])
  const local = join(stdout.trim(), 'hadolint')
  await run(existsSync(local) ? local : 'hadolint', [join(DIR, 'Dockerfile')])
})

// ------------------------------------------------------------------ the three-broker override

const CLUSTER = [FILE, CLUSTER_FILE]
const BROKERS = ['redpanda', 'redpanda-1', 'redpanda-2']
const flag = (s: Service | undefined, name: string) => ((s as { command?: string[] } | undefined)?.command ?? []).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

test('cluster override: docker-compose accepts it; three Redpanda brokers in production mode, one seed, each advertising itself', async () => {
  const services = await assertWellFormed(CLUSTER)
  const image = services.redpanda?.image
  for (const name of BROKERS) {
    const s = services[name]
    assert.ok(s, `${name} exists`)
    assert.equal(s.image, image, `${name}: the same Redpanda image`)
    const command = (s as { command?: string[] }).command ?? []
    assert.ok(command.includes('start') && !command.some((arg) => /--mode|dev-container/.test(arg)), `${name}: production mode (fsync)`)
    assert.equal(flag(s, 'seeds'), 'redpanda:33145', `${name}: seeded by redpanda`)
    assert.equal(flag(s, 'advertise-rpc-addr'), `${name}:33145`)
    assert.match(flag(s, 'advertise-kafka-addr') ?? '', new RegExp(`^internal://${name}:29092,external://localhost:\\d+$`))
    assert.ok(command.includes('--set=redpanda.auto_create_topics_enabled=false'), `${name}: no auto-created topics`)
  }
  const external = BROKERS.map((name) => /external:\/\/localhost:(\d+)$/.exec(flag(services[name], 'advertise-kafka-addr') ?? '')?.[1])
  assert.equal(new Set(external).size, 3, `distinct external ports: ${external.join(', ')}`)
  const published = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => (typeof p === 'string' ? p.split(':').slice(-2, -1)[0] : String(p.published))))
  assert.equal(new Set(published).size, published.length, `no host port published twice: ${published.join(', ')}`)
  for (const port of external) assert.ok(published.includes(port), `external Kafka port ${port} published`)
})

test('cluster override: every service bootstraps from the three brokers; provisioning waits for them and makes 3 replicas, min.insync.replicas 2', async () => {
  const raw = readFileSync(CLUSTER_FILE, 'utf8')
  const example = readFileSync(ENV_FILE, 'utf8')
  for (const [, name] of raw.matchAll(/\$\{(\w+)\}/g)) assert.match(example, new RegExp(`^${name}=.+$`, 'm'), `${name} in .env.example`)
  const { services } = await resolved(CLUSTER)
  const env = (name: string) => Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, v ?? undefined]))
  const brokers = BROKERS.map((b) => `${b}:29092`)
  for (const name of ['provision', 'producer-api', 'consumer', 'projector', 'query-api']) {
    assert.deepEqual(parseKafkaConfig(env(name), name).brokers, brokers, `${name}: KAFKA_BROKERS`)
  }
  assert.deepEqual(parseProducerApiConfig(env('producer-api')).kafka.brokers, brokers)
  assert.deepEqual(parseConsumerConfig(env('consumer')).kafka.brokers, brokers)
  parseProjectorConfig(env('projector'))
  parseQueryConfig(env('query-api'))
  assert.deepEqual(resolveReplication(parseKafkaConfig(env('provision'), 'provision'), BROKERS.length), { factor: 3, minInsync: 2 })
  const dependsOn = Object.keys((services.provision as { depends_on?: Record<string, unknown> } | undefined)?.depends_on ?? {})
  for (const name of BROKERS) assert.ok(dependsOn.includes(name), `provision waits for ${name}: ${dependsOn.join(', ')}`)
})

test('cluster override: memory limits fit an 8 GB node, the single-node services unchanged', async (t) => {
  const single = (await resolved()).services
  const { services } = await resolved(CLUSTER)
  const total = memoryLimits(services)
  t.diagnostic(`memory limits add up to ${(total / 1024 ** 2).toFixed(0)} MiB of 8192`)
  assert.ok(total <= 7 * 1024 ** 3, `${(total / 1024 ** 3).toFixed(2)} GiB leaves too little to the OS of an 8 GB node`)
  for (const [name, s] of Object.entries(single)) assert.equal(services[name]?.mem_limit, s.mem_limit, `${name}: same limit as on one node`)
})

/**
 * The cluster test's Postgres side: a database of its own (migrated by provisioning, dropped after
 * the test) and sink processes (consumer/src/main.ts) kept running as npm start's supervisor
 * keeps them: one that exits is started again, and counted.
 */
import { randomUUID } from 'node:crypto'
import type { TestContext } from 'node:test'
import pg from 'pg'
import { parsePostgresConfig } from '../../../lib/src/config.js'
import { startService, type Service } from '../../../lib/test/helpers/processes.js'
import type { Defer } from './cleanup.js'

export async function scratchPostgres(defer: Defer): Promise<string> {
  const base = new URL(parsePostgresConfig(process.env).url)
  const name = `aurore_cluster_${randomUUID().slice(0, 8)}`
  const admin = new pg.Client({ connectionString: base.toString() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  defer(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })
  base.pathname = `/${name}`
  return base.toString()
}

export interface KeptSink {
  current(): Service
  readonly restarts: () => number
  /** No more restarts (the test's cleanup kills the last one). */
  release(): void
}

export async function keepSink(t: TestContext, defer: Defer, env: Readonly<Record<string, string>>): Promise<KeptSink> {
  let released = false
  let restarts = 0
  let current = await startService(t, 'consumer', env)
  defer(async () => {
    released = true
    current.kill('SIGKILL')
    await current.exited
  })
  const watch = (service: Service): void => {
    void service.exited.then(async () => {
      while (!released) {
        restarts++
        try {
          current = await startService(t, 'consumer', env)
          watch(current)
          return
        } catch (err) {
          // Not ready within startService's minute (the cluster may be down): try again.
          console.error(`sink restart failed, retrying: ${(err as Error).message.slice(0, 200)}`)
        }
      }
    })
  }
  watch(current)
  return { current: () => current, restarts: () => restarts, release: () => { released = true } }
}

/** Kills and restarts servers of the local stack (scripts/stack.sh), for failure tests. */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../src/paths.js'

const run = promisify(execFile)
const STACK = join(PROJECT_ROOT, 'scripts', 'stack.sh')

export type Server = 'kafka' | 'postgres' | 'mariadb' | 'redis'

/** kill -9 of the server's main process; resolves once it is gone. */
export async function killServer(server: Server): Promise<void> {
  const pid = Number((await run('bash', [STACK, 'pid', server])).stdout.trim())
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${server}`)
  process.kill(pid, 'SIGKILL')
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return // ESRCH: gone
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${server} (pid ${pid}) survived SIGKILL`)
}

/** Starts whatever of the stack is not running (idempotent). */
export async function stackUp(): Promise<void> {
  await run('bash', [STACK, 'up'], { timeout: 120_000 })
}

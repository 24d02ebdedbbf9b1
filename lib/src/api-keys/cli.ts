/**
 * `npm run keys -- <command>`: create, list and revoke producer API keys, and make the local
 * development key. What goes to stdout is what a script captures (the new key, the list);
 * explanations go to stderr.
 */
import { parseArgs } from 'node:util'
import type pg from 'pg'
import { PipelineError } from '../errors.js'
import { ensureLocalApiKey } from './local.js'
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from './store.js'

export const USAGE = `usage: npm run keys -- create --name NAME --services SERVICE[,SERVICE...] [--rate-limit N]
       npm run keys -- list [--json]
       npm run keys -- revoke KEY_ID
       npm run keys -- ensure-local [--file PATH]
  create        a new key for the event services it may write (names, prefix* or *), with its own
                rate limit in requests per second (default: producer-api's API_KEY_RATE_LIMIT);
                the key is printed once, on stdout: only its SHA-256 digest is stored
  list          every key: id, name, services, rate limit, created, revoked (never a secret)
  revoke        refuses the key from producer-api's next key refresh on (API_KEYS_REFRESH_MS, 5 s)
  ensure-local  the local development key (npm start): kept in PATH (.local/producer-api-key), made once`

export class UsageError extends Error {}

export interface CliIo {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
}

export interface CliContext extends CliIo {
  readonly pool: () => pg.Pool
  /** ensure-local's file when --file is not given. */
  readonly localFile: string
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: 'string' }, services: { type: 'string' }, 'rate-limit': { type: 'string' },
        json: { type: 'boolean' }, file: { type: 'string' },
      },
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

function rateLimit(raw: string | undefined): number | null {
  if (raw === undefined) return null
  if (!/^[1-9]\d*$/.test(raw)) throw new UsageError(`--rate-limit must be a positive whole number of requests per second, got "${raw}"`)
  return Number(raw)
}

const describe = (k: ApiKeyRecord) =>
  `${k.id}  ${k.name}  services ${k.services.join(',')}  rate limit ${k.rateLimit === null ? 'default' : `${k.rateLimit}/s`}  ` +
  `created ${k.createdAt.toISOString()}${k.revokedAt === null ? '' : `  REVOKED ${k.revokedAt.toISOString()}`}`

/** Runs one command; resolves with the exit code (usage errors reject with UsageError). */
export async function runKeysCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parse(argv)
  const [command, ...rest] = positionals
  const only = (allowed: readonly string[], positional = 0) => {
    const extra = Object.keys(values).filter((k) => !allowed.includes(k))
    if (extra.length > 0) throw new UsageError(`${command}: unexpected option --${extra.join(', --')}`)
    if (rest.length !== positional) throw new UsageError(`${command}: expected ${positional} argument(s), got ${rest.length}`)
  }
  switch (command) {
    case 'create': {
      only(['name', 'services', 'rate-limit'])
      if (values.name === undefined || values.services === undefined) throw new UsageError('create needs --name and --services')
      const services = values.services.split(',').map((s) => s.trim()).filter((s) => s !== '')
      let created
      try {
        created = await createApiKey(ctx.pool(), { name: values.name, services, rateLimit: rateLimit(values['rate-limit']) })
      } catch (err) {
        if (err instanceof PipelineError && err.code === 'PIPELINE_API_KEY_SPEC_INVALID') throw new UsageError(err.message)
        throw err
      }
      ctx.err(`created ${describe(created.record)}`)
      ctx.err('the key, shown this once (only its SHA-256 digest is stored): send it as Authorization: Bearer <key>')
      ctx.out(created.key)
      return 0
    }
    case 'list': {
      only(['json'])
      const keys = await listApiKeys(ctx.pool())
      if (values.json === true) ctx.out(JSON.stringify(keys, null, 2))
      else if (keys.length === 0) ctx.err('no producer API keys: create one with npm run keys -- create --name NAME --services SERVICE')
      else for (const k of keys) ctx.out(describe(k))
      return 0
    }
    case 'revoke': {
      only([], 1)
      const id = rest[0] ?? ''
      const result = await revokeApiKey(ctx.pool(), id)
      switch (result) {
        case 'revoked':
          ctx.err(`revoked ${id}: producer-api refuses it from its next key refresh on (within API_KEYS_REFRESH_MS)`)
          return 0
        case 'already-revoked':
          ctx.err(`${id} was revoked already`)
          return 0
        case 'not-found':
          ctx.err(`no key ${JSON.stringify(id)} (npm run keys -- list shows the ids)`)
          return 1
        default: {
          const never: never = result
          throw new Error(`unknown result ${String(never)}`)
        }
      }
    }
    case 'ensure-local': {
      only(['file'])
      const file = values.file ?? ctx.localFile
      const local = await ensureLocalApiKey(ctx.pool(), file)
      ctx.err(`local producer API key ${local.id} ${local.outcome} (${file})`)
      ctx.out(local.key)
      return 0
    }
    default:
      throw new UsageError(command === undefined ? 'no command' : `unknown command ${JSON.stringify(command)}`)
  }
}

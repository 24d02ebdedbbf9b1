/**
 * No secret in the repository: no file git tracks holds a producer API key, a private key or a
 * cloud access key. (The local key lives in .local/, which git ignores; tests make their keys
 * at run time. The one key written out, all zeros, is a key producer-api refuses.)
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'

const SECRETS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a producer API key', /pak_(?!0{16}_)[0-9a-f]{16}_[A-Za-z0-9_-]{43}/],
  ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['an AWS access key', /\bAKIA[0-9A-Z]{16}\b/],
  ['a GitHub token', /\bgh[pousr]_[A-Za-z0-9]{36}\b/],
]

test('no file git tracks holds a secret', () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean)
  assert.ok(files.length > 100, `git ls-files listed ${files.length} files`)
  const found: string[] = []
  for (const file of files) {
    let text: string
    try { text = readFileSync(join(PROJECT_ROOT, file), 'utf8') } catch { continue } // deleted in the working tree
    for (const [what, pattern] of SECRETS) if (pattern.test(text)) found.push(`${file}: ${what}`)
  }
  assert.deepEqual(found, [])
})

test('.local/ (the local key, data directories) is ignored by git', () => {
  const ignored = execFileSync('git', ['check-ignore', '.local/producer-api-key'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim()
  assert.equal(ignored, '.local/producer-api-key')
})

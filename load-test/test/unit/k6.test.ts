import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { PROJECT_ROOT } from '../../../lib/src/paths.js'

test('the k6 script (for people with k6; k6 cannot be installed here) is valid JavaScript', async () => {
  await promisify(execFile)(process.execPath, ['--check', join(PROJECT_ROOT, 'load-test', 'k6', 'ingest.js')])
  assert.ok(true)
})

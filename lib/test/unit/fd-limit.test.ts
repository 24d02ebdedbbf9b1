import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'
import { parseFdLimit, readFdLimit } from '../../src/fd-limit.js'

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`

test('the soft and hard open-file limits of /proc/<pid>/limits', () => {
  assert.deepEqual(parseFdLimit(LIMITS, 'x'), { soft: 1024, hard: 524288, source: 'x' })
  assert.equal(parseFdLimit(LIMITS.replace('1024   ', 'unlimited'))?.soft, Infinity)
  assert.equal(parseFdLimit('nothing here'), undefined)
  assert.equal(readFdLimit('/nonexistent/limits'), undefined, 'unknown, not a throw')
})

test('on Linux, what ulimit -n says', { skip: process.platform !== 'linux' }, () => {
  const ulimit = execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim()
  assert.equal(String(readFdLimit()?.soft).replace('Infinity', 'unlimited'), ulimit)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { missingChunks, splitLanes } from '../../../src/generate/load.js'

test('missingChunks cuts what is not loaded of 1..users into chunks', () => {
  assert.deepEqual(missingChunks(10, [], 4), [[1, 4], [5, 8], [9, 10]])
  assert.deepEqual(missingChunks(10, [[1, 4], [5, 8], [9, 10]], 4), [])
  assert.deepEqual(missingChunks(10, [[5, 8]], 4), [[1, 4], [9, 10]])
  assert.deepEqual(missingChunks(12, [[9, 10], [1, 3]], 100), [[4, 8], [11, 12]]) // any order, any size
  assert.deepEqual(missingChunks(5, [[1, 10]], 4), []) // a larger fixture covers a smaller request
})

test('splitLanes gives each lane one contiguous run of chunks', () => {
  assert.deepEqual(splitLanes([1, 2, 3, 4, 5], 2), [[1, 2, 3], [4, 5]])
  assert.deepEqual(splitLanes([1], 3), [[1]])
  assert.deepEqual(splitLanes([], 2), [])
})

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { mountPgDisk } from '../../../src/faults/disk.js'

test('the fault suite\'s Postgres disk: filled, nothing more fits; freed, it does again; unmounted on close', async (t) => {
  const state = mkdtempSync(join(tmpdir(), 'pgdisk-'))
  t.after(() => rmSync(state, { recursive: true, force: true }))
  const disk = await mountPgDisk(state, 32)
  if ('unavailable' in disk) return t.skip(disk.unavailable)
  t.after(() => disk.close())
  assert.equal(disk.dataDir, join(state, 'pgdisk', 'postgres'))
  const taken = await disk.fill()
  assert.ok(taken > 30 * 2 ** 20, `took ${taken} bytes of 32 MB`)
  assert.throws(() => writeFileSync(join(state, 'pgdisk', 'more'), Buffer.alloc(64 * 1024)), { code: 'ENOSPC' })
  disk.free()
  writeFileSync(join(state, 'pgdisk', 'more'), Buffer.alloc(64 * 1024))
  assert.ok(disk.usage().usedBytes < 2 ** 20)
  await disk.close()
  await disk.close()
  assert.doesNotMatch(readFileSync('/proc/mounts', 'utf8'), new RegExp(join(state, 'pgdisk')))
})

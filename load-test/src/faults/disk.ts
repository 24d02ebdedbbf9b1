/**
 * The fault stack's Postgres on a disk of its own that a fault can fill: a size-limited tmpfs
 * mounted at `<state>/pgdisk` (root only; elsewhere the fault is not drawn and the report says
 * why). Filling takes every free byte with one preallocated files beside the data directory;
 * freeing deletes it. Nothing outside the mount is ever written, so the machine's own disk
 * never fills.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export interface PgDisk {
  /** Where the data directory goes (PG_DATA_DIR of scripts/stack.sh). */
  readonly dataDir: string
  readonly sizeMb: number
  /** Takes every free byte of the mount; returns how many it took. */
  fill(): Promise<number>
  /** Gives them back. */
  free(): void
  /** Used and total bytes of the mount. */
  usage(): { readonly usedBytes: number; readonly sizeBytes: number }
  /** Unmounts (after Postgres stopped); the data goes with it. Idempotent. */
  close(): Promise<void>
}

const removeFillers = (mount: string): void => {
  for (const name of readdirSync(mount)) if (name.startsWith('filler-')) rmSync(join(mount, name), { force: true })
}

const isMounted = (dir: string): boolean =>
  readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === dir)

/** Mounts the tmpfs (or takes the one a run left mounted); a reason instead when this machine cannot. */
export async function mountPgDisk(stateDir: string, sizeMb: number): Promise<PgDisk | { readonly unavailable: string }> {
  const mount = join(stateDir, 'pgdisk')
  if (process.getuid?.() !== 0) return { unavailable: 'mounting a size-limited tmpfs needs root' }
  mkdirSync(mount, { recursive: true })
  if (!isMounted(mount)) {
    try {
      await exec('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'tmpfs', mount])
    } catch (err) {
      return { unavailable: `mount -t tmpfs failed: ${(err as Error).message.split('\n')[0]}` }
    }
  }
  const filler = join(mount, 'filler')
  removeFillers(mount)
  let closed = false
  const stats = () => statfsSync(mount)
  return {
    dataDir: join(mount, 'postgres'),
    sizeMb,
    fill: async () => {
      // What statfs calls free is not all allocatable (tmpfs rounds, gVisor accounts its own
      // way): take it in pieces, halving a piece that does not fit, down to one page.
      let taken = 0
      let piece = Math.max(4096, stats().bavail * stats().bsize)
      for (let n = 0; piece >= 4096; n++) {
        const ok = await exec('fallocate', ['-l', String(piece), `${filler}-${n}`]).then(() => true, () => false)
        if (ok) taken += piece
        else {
          rmSync(`${filler}-${n}`, { force: true })
          piece = Math.floor(piece / 2)
        }
      }
      return taken
    },
    free: () => removeFillers(mount),
    usage: () => {
      const s = stats()
      return { usedBytes: (s.blocks - s.bfree) * s.bsize, sizeBytes: s.blocks * s.bsize }
    },
    close: async () => {
      if (closed) return
      closed = true
      removeFillers(mount)
      if (isMounted(mount)) await exec('umount', [mount])
    },
  }
}

import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project's root (the folder with package.json), from sources under tsx and from dist/ alike. */
function findRoot(start: string): string {
  let dir = start
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${start}`)
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))
export const SCHEMAS_DIR = join(PROJECT_ROOT, 'schemas')
export const PG_MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations', 'postgres')
export const MYSQL_MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations', 'mysql')

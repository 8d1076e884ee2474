// Installs the Jest fixture projects (their own deps, and isolated-test from the packed tarball).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

export default function setup(): void {
  const root = resolve(import.meta.dirname, '../..')
  if (!existsSync(resolve(root, 'dist/jest.cjs'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' })
  execFileSync(process.execPath, ['scripts/install-fixtures.mjs'], { cwd: root, stdio: 'inherit' })
}

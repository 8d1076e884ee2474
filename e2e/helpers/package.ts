// The package as users get it: `npm pack` of the built tree, unpacked into a fixture project's
// node_modules/isolated-test. Fixtures resolve everything else (vitest, serialize-error) upwards.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

export const repoRoot = join(import.meta.dirname, '..', '..')
export const packDir = join(repoRoot, '.tmp', 'pack')

export function packPackage(): string {
  rmSync(packDir, { recursive: true, force: true })
  mkdirSync(packDir, { recursive: true })
  execFileSync('npm', ['pack', '--pack-destination', packDir], { cwd: repoRoot, stdio: 'ignore' })
  const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'))
  if (!tarball) throw new Error('npm pack produced no tarball')
  return join(packDir, tarball)
}

export function unpackInto(tarball: string, projectDir: string): void {
  const target = join(projectDir, 'node_modules', 'isolated-test')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'])
}

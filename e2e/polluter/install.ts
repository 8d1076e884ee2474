// The polluter fixture projects get isolated-test as users do: `npm install <tarball>`, which links the
// bin into node_modules/.bin (and runs no install script: none is approved here). Skipped while the
// installed copy came from an identical tarball.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function installTarball(tarball: string, project: string): void {
  const stamp = join(project, 'node_modules', '.isolated-test-tarball')
  const sha = createHash('sha256').update(readFileSync(tarball)).digest('hex')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sha && existsSync(join(project, 'node_modules', '.bin', 'isolated-test'))) return
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: project, stdio: 'inherit' })
  writeFileSync(stamp, sha)
}

// The Jest part of `npm run demo`: runs fixtures/jest30/demo (a hanging, a crashing and a failing test
// under testEnvironment 'isolated-test/jest') with the fixture's real jest, and shows Jest's output.
// Needs the fixture installed: node scripts/install-fixtures.mjs jest30
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const dir = resolve(import.meta.dirname, '..', 'fixtures', 'jest30')
const jest = join(dir, 'node_modules', 'jest', 'bin', 'jest.js')
if (!existsSync(join(dir, 'node_modules', 'isolated-test'))) {
  const install = spawnSync(process.execPath, [join(import.meta.dirname, 'install-fixtures.mjs'), 'jest30'], { stdio: 'inherit' })
  if (install.status !== 0) process.exit(install.status ?? 1)
}
console.log('$ jest demo/demo.test.js   (testEnvironment: isolated-test/jest, limit 1000 ms from the @isolated-test pragma)\n')
const run = spawnSync(process.execPath, [jest, '--testPathIgnorePatterns', '/node_modules/', '--', 'demo/demo.test.js'], { cwd: dir, stdio: 'inherit' })
// The demo's tests fail on purpose; the demo itself succeeded if Jest ran them and finished.
process.exit(run.status === 1 ? 0 : (run.status ?? 1))

// Installs the fixture projects the e2e tests run: each one's own dependencies with `npm ci` (from its
// committed lockfile; skipped while node_modules matches it), then isolated-test from the packed
// tarball, as a user gets it (`npm install <tarball>`, which also brings its dependencies).
// Usage: node scripts/install-fixtures.mjs [fixture-dir-name ...]   (default: every fixtures/jest*)
// Needs only the npm registry. Run `npm run build` first (the tarball is packed from dist/).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const fixtures = join(root, 'fixtures')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const quiet = ['--no-audit', '--no-fund', '--loglevel=error']

if (!existsSync(join(root, 'dist', 'jest.cjs'))) {
  console.error('install-fixtures: dist/ is missing or stale; run `npm run build` first.')
  process.exit(1)
}

const wanted = process.argv.slice(2)
const dirs = readdirSync(fixtures)
  .filter((name) => name.startsWith('jest') && existsSync(join(fixtures, name, 'package-lock.json')))
  .filter((name) => wanted.length === 0 || wanted.includes(name))

const packDir = join(root, '.tmp', 'pack')
rmSync(packDir, { recursive: true, force: true })
mkdirSync(packDir, { recursive: true })
const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', packDir], { cwd: root, encoding: 'utf8' }))
const tarball = join(packDir, packed[0].filename)

// Jest 29 runs the same suites as Jest 30: the files are copied in rather than kept twice in git.
const SHARED_WITH_JEST30 = ['__tests__/concurrent.test.js', '__tests__/failures.test.js', '__tests__/features.test.js', '__tests__/hang.test.js', 'helpers', 'lib', 'matrix', 'coverage-suite']
if (dirs.includes('jest29')) {
  for (const part of SHARED_WITH_JEST30) {
    rmSync(join(fixtures, 'jest29', part), { recursive: true, force: true })
    cpSync(join(fixtures, 'jest30', part), join(fixtures, 'jest29', part), { recursive: true })
  }
}

for (const name of dirs) {
  const dir = join(fixtures, name)
  const stampFile = join(dir, 'node_modules', '.fixture-lock-hash')
  const stamp = createHash('sha256').update(readFileSync(join(dir, 'package-lock.json'))).digest('hex')
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    console.log(`install-fixtures: npm ci in fixtures/${name}`)
    execFileSync(npm, ['ci', ...quiet], { cwd: dir, stdio: 'inherit' })
    writeFileSync(stampFile, stamp)
  }
  console.log(`install-fixtures: isolated-test from ${packed[0].filename} into fixtures/${name}`)
  // --no-save: the fixture's package.json and lockfile stay as committed.
  execFileSync(npm, ['install', '--no-save', ...quiet, tarball], { cwd: dir, stdio: 'inherit' })
  // The stamp must survive the install above, which rewrites node_modules' own metadata only.
  writeFileSync(stampFile, stamp)
}

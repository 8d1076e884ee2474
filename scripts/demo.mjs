// `npm run demo`: runs a small real suite under Vitest (a hanging, a crashing, a failing and a leaking
// test), then the Jest side (scripts/demo-jest.mjs), and shows what the user sees. The package is used
// as users get it (packed, then unpacked or installed).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const pack = join(root, '.tmp', 'demo-pack')
rmSync(pack, { recursive: true, force: true })
mkdirSync(pack, { recursive: true })
execFileSync('npm', ['pack', '--pack-destination', pack], { cwd: root, stdio: 'ignore' })
const tarball = join(pack, readdirSync(pack).find((f) => f.endsWith('.tgz')))

function install(project) {
  const target = join(project, 'node_modules', 'isolated-test')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target, { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'])
}

const vitestProject = join(root, 'fixtures', 'demo-vitest')
install(vitestProject)
console.log('\n=== Vitest: a hanging, a crashing, a failing, a passing and a leaking test, each in its own child process ===\n')
const started = Date.now()
const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run'], { cwd: vitestProject, stdio: 'inherit' })
console.log(`\n=== Vitest finished in ${((Date.now() - started) / 1000).toFixed(1)} s with exit code ${r.status} (5 failures expected): the hang was killed, not waited for. ===\n`)
console.log('=== Jest: the same faults under testEnvironment: isolated-test/jest ===\n')
const jest = spawnSync(process.execPath, [join(root, 'scripts', 'demo-jest.mjs')], { cwd: root, stdio: 'inherit' })
process.exitCode = r.status === 1 && jest.status === 0 ? 0 : 1

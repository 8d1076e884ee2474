// Paths, process running and statistics shared by the bench modules.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repo = fileURLToPath(new URL('../..', import.meta.url))
export const work = join(repo, 'bench', '.work')
export const vitestBin = join(repo, 'node_modules', 'vitest', 'vitest.mjs')
// The fork server needs Node >= 22; every framework scenario runs on 24 so both models share a Node.
export const node24 = join(repo, 'fixtures', 'nodes', 'node_modules', 'node24', 'bin', 'node')
// Jest 30 + babel-jest from the Jest 30 fixture project (installed on demand: ensureFixtures).
export const jestModules = join(repo, 'fixtures', 'jest30', 'node_modules')

/** Node 24 (fixtures/nodes) and Jest 30 (fixtures/jest30), installed from the registry when missing, as `npm test` does. */
export function ensureFixtures() {
  if (!existsSync(node24)) run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: join(repo, 'fixtures', 'nodes') })
  if (!existsSync(join(jestModules, 'jest', 'bin', 'jest.js')) || !existsSync(join(jestModules, 'babel-jest'))) run(process.execPath, [join(repo, 'scripts', 'install-fixtures.mjs'), 'jest30'])
}

export function write(path, text) {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
}

/** Runs a command to the end; throws with its output unless it exits 0. */
export function run(file, args, { env = {}, cwd = repo } = {}) {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } })
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`)
  return r
}

export const median = (xs) => {
  if (!xs.length) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

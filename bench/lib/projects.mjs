// Throwaway projects under bench/.work/. Each gets isolated-test unpacked from the packed tarball (as a
// user installs it); vitest and isolated-test's own dependencies resolve from the repo root above.
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { ballastSource, heavySource } from './modules.mjs'
import { jestModules, run, work, write } from './util.mjs'

function unpack(tarball, dir) {
  mkdirSync(join(dir, 'node_modules', 'isolated-test'), { recursive: true })
  run('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules', 'isolated-test'), '--strip-components=1'])
}

/** A Vitest project: files { name: source }, plugin: under isolatedTests(), deps: extra node_modules. */
export function vitestProject(name, { tarball, files, plugin = false, config = {}, heavy, ballastMb }) {
  const dir = join(work, name)
  write(join(dir, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true, type: 'module' }))
  // testTimeout leaves room for isolated()'s 10 s limit plus its kill window and bootTimeout.
  const test = JSON.stringify({ testTimeout: 60_000, ...config })
  write(
    join(dir, 'vitest.config.mjs'),
    plugin
      ? `import { isolatedTests } from 'isolated-test/vitest'\nexport default { plugins: [isolatedTests()], test: ${test} }\n`
      : `export default { test: ${test} }\n`,
  )
  for (const [file, text] of Object.entries(files)) write(join(dir, file), text)
  unpack(tarball, dir)
  if (heavy) dependency(dir, 'heavy-dep', heavySource(heavy.iterations))
  if (ballastMb) dependency(dir, 'ballast', ballastSource(ballastMb))
  return dir
}

function dependency(dir, name, source) {
  write(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, type: 'module', main: 'index.js' }))
  write(join(dir, 'node_modules', name, 'index.js'), source)
}

/**
 * A Jest 30 + babel-jest project. node_modules links every package of the jest30 fixture except
 * isolated-test, which comes from this build's tarball; `isolated` picks testEnvironment.
 */
export function jestProject(name, { tarball, files, isolated }) {
  const dir = join(work, name)
  write(join(dir, 'package.json'), JSON.stringify({ name: `bench-${name}`, private: true }))
  const config = { testEnvironment: isolated ? 'isolated-test/jest' : 'node', transform: { '\\.[jt]sx?$': 'babel-jest' }, testTimeout: 60_000 }
  write(join(dir, 'jest.config.cjs'), `module.exports = ${JSON.stringify(config)}\n`)
  for (const [file, text] of Object.entries(files)) write(join(dir, file), text)
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  for (const entry of readdirSync(jestModules)) {
    if (entry === 'isolated-test' || entry === '.bin' || entry.startsWith('.package-lock')) continue
    symlinkSync(join(jestModules, entry), join(dir, 'node_modules', entry))
  }
  unpack(tarball, dir)
  return dir
}

// The addon as users get it: a prebuild in the tarball, nothing for npm to compile, no glibc symbol newer
// than 2.28, and it loads in a fresh project installed without scripts and without a compiler.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { repoRoot } from '../helpers/package.js'
import { nodeBinary } from './helpers.js'

const prebuild = join(repoRoot, 'prebuilds', 'linux-x64', 'isolated-test.glibc.node')
const work = join(repoRoot, '.tmp', 'native-packaging')

test('npm pack lists the prebuild, and no binding.gyp or C source', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: repoRoot, encoding: 'utf8' })) as [{ files: { path: string }[] }]
  const paths = pack.files.map((f) => f.path)
  expect(paths).toContain('prebuilds/linux-x64/isolated-test.glibc.node')
  expect(paths).toContain('dist/native.js')
  expect(paths.filter((p) => p.endsWith('binding.gyp') || p.startsWith('native/') || p.endsWith('.c'))).toEqual([])
  // npm adds `install: node-gyp rebuild` by itself when the root has a binding.gyp.
  expect(existsSync(join(repoRoot, 'binding.gyp'))).toBe(false)
})

test('the prebuild needs no glibc symbol newer than 2.28', () => {
  const versions = [...execFileSync('objdump', ['-T', prebuild], { encoding: 'utf8' }).matchAll(/GLIBC_(\d+)\.(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const)
  expect(versions.length).toBeGreaterThan(5)
  const newest = versions.reduce((a, b) => (b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]) ? b : a))
  expect(newest[0] * 100 + newest[1], `newest GLIBC_${newest.join('.')}`).toBeLessThanOrEqual(228)
})

describe('a fresh project, installed with --ignore-scripts, run with no compiler on PATH', () => {
  const project = join(work, 'project')
  const bin = join(work, 'bin')

  beforeAll(() => {
    rmSync(work, { recursive: true, force: true })
    mkdirSync(project, { recursive: true })
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: repoRoot, stdio: 'ignore' })
    const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!)
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'fresh', private: true, type: 'module' }))
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project, stdio: 'ignore' })
    mkdirSync(bin)
  }, 300_000)

  // PATH holds only a `node`: no gcc, cc, make or python for anything to build with.
  function run(node: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
    rmSync(join(bin, 'node'), { force: true })
    symlinkSync(node, join(bin, 'node'))
    const r = spawnSync('node', args, { cwd: project, encoding: 'utf8', env: { PATH: bin, HOME: process.env.HOME } })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  test('PATH really has no compiler', () => {
    const r = spawnSync('/bin/sh', ['-c', 'for t in gcc cc make python3 python node-gyp; do command -v $t; done; true'], { encoding: 'utf8', env: { PATH: bin } })
    expect(r.stdout.trim()).toBe('')
  })

  test.each([
    ['20', '/usr/bin/node'],
    ['24', () => nodeBinary(24)],
  ] as const)('Node %s loads the addon and its primitives work', (_, which) => {
    const node = typeof which === 'string' ? which : which()
    const script = `const { loadAddon } = await import('./node_modules/isolated-test/dist/native.js')
      const { addon, reason } = loadAddon()
      console.log(JSON.stringify({ reason: reason ?? null, pgid: addon?.getpgid(0), own: process.pid, open: addon && typeof addon.pidfdOpen(process.pid) }))`
    const r = run(node, ['--input-type=module', '-e', script])
    expect(r.stderr).toBe('')
    const out = JSON.parse(r.stdout)
    expect(out.reason).toBeNull()
    expect(typeof out.pgid).toBe('number')
    expect(out.open).toBe('number')
    // node-gyp-build found the prebuild; nothing was compiled into the package.
    expect(existsSync(join(project, 'node_modules', 'isolated-test', 'build'))).toBe(false)
  })

  test('Node 24 passes the one-fork self-test from the installed package', () => {
    const r = run(nodeBinary(24), ['--single-threaded', 'node_modules/isolated-test/dist/fork-self-test.js'])
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, node: expect.stringMatching(/^v24\./) })
  })
})

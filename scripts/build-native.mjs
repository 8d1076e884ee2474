// Builds the native addon into prebuilds/linux-x64/ with prebuildify (N-API, stripped, libc-tagged),
// from native/ (the package root has no binding.gyp, so npm never runs node-gyp on install). Skips the
// build when the sources, binding.gyp and this script are unchanged since the last one (a stamp beside
// node-gyp's output, never packed). Linux x64 only; elsewhere it says so and builds nothing.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const native = join(repo, 'native')
const prebuild = join(repo, 'prebuilds', 'linux-x64', 'isolated-test.glibc.node')
const stamp = join(native, 'build', '.source-hash')

function sourceHash() {
  const hash = createHash('sha256')
  const files = ['binding.gyp', ...readdirSync(join(native, 'src')).sort().map((f) => join('src', f))]
  for (const f of files) hash.update(f).update(readFileSync(join(native, f)))
  return hash.update(readFileSync(fileURLToPath(import.meta.url))).digest('hex')
}

// node-gyp needs Node's headers; use the running Node's own (distro and official tarballs install
// them under <prefix>/include/node) so the build never downloads anything.
function nodeDir() {
  const prefix = dirname(dirname(process.execPath))
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined
}

// prebuildify runs `node-gyp` from PATH; `npm run` puts npm's bundled one there. Otherwise find it.
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp
  const bundled = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  return existsSync(bundled) ? bundled : 'node-gyp'
}

export function buildNative({ force = false } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.warn(`build-native: the addon is built on linux-x64 only (this is ${process.platform}-${process.arch}); skipped.`)
    return false
  }
  const want = sourceHash()
  if (!force && existsSync(prebuild) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return false
  const env = { ...process.env, PREBUILD_NODE_GYP: nodeGyp() }
  const dir = nodeDir()
  if (dir) env.npm_config_nodedir = dir
  const bin = join(repo, 'node_modules', 'prebuildify', 'bin.js')
  const r = spawnSync(process.execPath, [bin, '--napi', '--strip', '--tag-libc', '--name', 'isolated-test', '--out', '..', '--quiet'], { cwd: native, env, stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`prebuildify failed (exit ${r.status ?? r.signal}); run it in native/ without --quiet to see node-gyp's output.`)
  if (!existsSync(prebuild)) throw new Error(`prebuildify produced no ${prebuild}`)
  mkdirSync(dirname(stamp), { recursive: true })
  writeFileSync(stamp, want)
  return true
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = buildNative({ force: process.argv.includes('--force') })
  console.log(built ? `build-native: built ${prebuild}` : 'build-native: up to date')
}

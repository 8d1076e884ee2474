// The project's own copy of a runner: its package.json and bin, resolved from the project's root as
// Node would from a file there (so a hoisted or parent node_modules counts).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

export interface Installed {
  readonly version: string
  readonly bin: string
}

export function findInstalled(root: string, pkg: string, binName: string): Installed | undefined {
  let manifest: string
  try {
    manifest = createRequire(join(resolve(root), 'noop.js')).resolve(`${pkg}/package.json`)
  } catch {
    return undefined
  }
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; bin?: string | Record<string, string> }
  const bin = typeof json.bin === 'string' ? json.bin : json.bin?.[binName]
  if (!bin) return undefined
  return { version: json.version, bin: join(dirname(manifest), bin) }
}

export function versionAtLeast(version: string, major: number, minor = 0): boolean {
  const [ma = 0, mi = 0] = version.split('.').map((p) => Number.parseInt(p, 10))
  return ma > major || (ma === major && mi >= minor)
}

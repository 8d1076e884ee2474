// Temporary projects: a fixture's files copied into a fresh directory whose node_modules links the
// runner and isolated-test of one runtime, so runs that write files (snapshots) never disturb the
// fixture or each other.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import type { Runtime } from './runtimes.js'

/** A new directory with `node_modules` linking the runtime's packages; `fill` puts the project's files in. */
export function tempProject(runtime: Runtime, label: string, fill: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), `isolated-fidelity-${runtime.name}-${label.replace(/\W+/g, '-')}-`))
  mkdirSync(join(dir, 'node_modules'))
  for (const [name, target] of Object.entries(runtime.links)) {
    if (!existsSync(target)) throw new Error(`${runtime.label}: ${target} is not installed (the e2e global setup installs it).`)
    symlinkSync(target, join(dir, 'node_modules', name), 'dir')
  }
  fill(dir)
  return dir
}

/** Copies a directory tree, leaving node_modules out. */
export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => !src.split(sep).includes('node_modules') })
}

/** Every file under `dir` (node_modules left out), by path relative to `dir` with '/' separators. */
export function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue
      const path = join(at, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files[relative(dir, path).split(sep).join('/')] = readFileSync(path, 'utf8')
    }
  }
  if (existsSync(dir)) walk(dir)
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)))
}

// Shared by the native tests: the built addon (dist/native.js, as the package loads it) and a way to
// run a small script on a given Node.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { nodeBinary, type NodeMajor } from '../helpers/nodes.js'

export const nativeEntry = join(repoRoot, 'dist', 'native.js')
export const harness = join(repoRoot, 'bench', 'fork', 'harness.mjs')
export const MAJORS: readonly NodeMajor[] = [22, 24, 26]

/** Runs an ES module script text with `node`; returns its parsed last stdout line. */
export function runScript(node: string, script: string, args: readonly string[] = [], execArgv: readonly string[] = []): { status: number | null; json: any; stderr: string } {
  const r = spawnSync(node, [...execArgv, '--input-type=module', '-e', script, '--', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 })
  const last = r.stdout.trim().split('\n').pop() ?? ''
  let json: unknown
  try {
    json = JSON.parse(last)
  } catch {
    json = undefined
  }
  return { status: r.status, json, stderr: r.stderr }
}

export { nodeBinary }

// Where the fixture's files are for a runtime and mode, which files a run takes, and the lines the
// checks look for (marked `// @line:<name>` in the fixture, so moving code does not break them).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Mode, Runtime } from './runtimes.js'

/** Vitest file filters or a Jest path regex for the matrix run. */
export function filesFor(runtime: Runtime, mode: Mode): string[] {
  return runtime.framework === 'vitest' ? [`faults-matrix/${mode}/`] : ['(timeouts|crashes|output)\\.case\\.js$']
}

/** The file that holds the cases' bodies. */
export function casesFile(runtime: Runtime): string {
  return runtime.framework === 'vitest' ? join(runtime.project, 'faults-matrix', 'cases.ts') : join(runtime.project, 'matrix', 'cases.js')
}

/** The 1-based line of `// @line:<name>` in `file`. */
export function markedLine(file: string, name: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(`// @line:${name}`))
  if (index < 0) throw new Error(`no "// @line:${name}" in ${file}`)
  return index + 1
}

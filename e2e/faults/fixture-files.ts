// Where the fixture's files are for a runtime and mode, which files each run takes, and the lines the
// checks look for (marked `// @line:<name>` in the fixture, so moving code does not break them).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Mode, Runtime } from './runtimes.js'

export type Run = 'matrix' | 'daemon' | 'main-killed' | 'exit-guard'

/** Vitest file filters or a Jest path regex for one run. */
export function filesFor(runtime: Runtime, mode: Mode, run: Run): string[] {
  if (runtime.framework === 'vitest') {
    if (run === 'matrix') return [`faults-matrix/${mode}/`]
    return [`faults-matrix/separate/${run}.${mode}.test.ts`]
  }
  if (run === 'matrix') return [`(timeouts|crashes|output|defects${mode === 'helper' ? '|jsdom' : ''})\\.case\\.js$`]
  // main-killed and its companion: two files, so that Jest uses its workers.
  return [`${run}[-.]`]
}

/** The file that holds the cases' bodies. */
export function casesFile(runtime: Runtime): string {
  return runtime.framework === 'vitest' ? join(runtime.project, 'faults-matrix', 'cases.ts') : join(runtime.project, 'matrix', 'cases.js')
}

/** The file a mode's defect tests are registered in (defects 8 and 11 point there). */
export function defectsFile(runtime: Runtime, mode: Mode): string {
  return runtime.framework === 'vitest' ? join(runtime.project, 'faults-matrix', mode, 'defects.test.ts') : join(runtime.project, 'matrix', mode === 'environment' ? 'env' : 'helper', 'defects.case.js')
}

/** The 1-based line of `// @line:<name>` in `file`. */
export function markedLine(file: string, name: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(`// @line:${name}`))
  if (index < 0) throw new Error(`no "// @line:${name}" in ${file}`)
  return index + 1
}

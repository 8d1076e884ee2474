// The runtimes the fault matrix runs on (issue 9 "Done when"): Vitest 4.1 on Node 20 and 24, Vitest 5
// on Node 24, Jest 29 and 30 on Node 20 and 24. E2E_FAULTS_RUNTIMES=default keeps only the first of
// each framework (Vitest 4.1 and Jest 30 on Node 20), for a quick local run.
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { nodeBinary } from '../helpers/nodes.js'

export type Framework = 'vitest' | 'jest'
/** helper: isolated() on each body; plugin / environment: the whole project (project mode). */
export type Mode = 'helper' | 'plugin' | 'environment'

export interface Runtime {
  readonly label: string
  readonly framework: Framework
  readonly version: '4.1' | '5' | '29' | '30'
  readonly nodeMajor: 20 | 24
  /** The fixture project: fixtures/vitest4 (faults-matrix/), fixtures/vitest5 (a copy of it), fixtures/jest30 or jest29 (matrix/). */
  readonly project: string
  /** The runner's own entry script, run with `node`. */
  readonly bin: string
  readonly modes: readonly Mode[]
}

const fixtures = join(repoRoot, 'fixtures')

export function nodeFor(runtime: Runtime): string {
  return runtime.nodeMajor === 20 ? process.execPath : nodeBinary(runtime.nodeMajor)
}

function vitest(version: '4.1' | '5', nodeMajor: 20 | 24): Runtime {
  const project = join(fixtures, version === '5' ? 'vitest5' : 'vitest4')
  const bin = version === '5' ? join(project, 'node_modules', 'vitest', 'vitest.mjs') : join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs')
  return { label: `Vitest ${version} on Node ${nodeMajor}`, framework: 'vitest', version, nodeMajor, project, bin, modes: ['helper', 'plugin'] }
}

function jest(version: '29' | '30', nodeMajor: 20 | 24): Runtime {
  const project = join(fixtures, `jest${version}`)
  return { label: `Jest ${version} on Node ${nodeMajor}`, framework: 'jest', version, nodeMajor, project, bin: join(project, 'node_modules', 'jest', 'bin', 'jest.js'), modes: ['helper', 'environment'] }
}

const all = {
  vitest: [vitest('4.1', 20), vitest('4.1', 24), vitest('5', 24)],
  jest: [jest('30', 20), jest('30', 24), jest('29', 20), jest('29', 24)],
}

export function runtimes(framework: Framework): readonly Runtime[] {
  // The fork server needs Node 22 or later: on that model the matrix runs on Node 24 only.
  const forks = (process.env.E2E_PROCESS_MODEL || process.env.E2E_MODEL) === 'fork-server'
  const usable = forks ? all[framework].filter((r) => r.nodeMajor >= 22) : all[framework]
  return process.env.E2E_FAULTS_RUNTIMES === 'default' ? usable.slice(0, 1) : usable
}

// The four runtimes issue 10 is done on: Vitest 4.1 (Node 20), Vitest 5.1 (Node 24), Jest 29 and 30
// (Node 20); in the e2e-fork-server project every one runs on Node 24 (e2e/helpers/model.ts). Each
// names the runner's entry script and the packages a temporary project links in.
import { join } from 'node:path'
import { defaultNode, FORK_SERVER } from '../helpers/model.js'
import { nodeBinary } from '../helpers/nodes.js'
import { repoRoot } from '../helpers/package.js'

export type RuntimeName = 'vitest4' | 'vitest5' | 'jest29' | 'jest30'

export interface Runtime {
  readonly name: RuntimeName
  readonly framework: 'vitest' | 'jest'
  readonly label: string
  /** The runner's entry script (vitest.mjs, jest.js). */
  readonly bin: string
  /** node_modules entries of a temporary project: name → installed package directory. */
  readonly links: Readonly<Record<string, string>>
  /** The Node binary to run it with (resolved on first use: Node 24 may need installing). */
  node(): string
}

const fixtures = join(repoRoot, 'fixtures')
/** The runner's Node major and process model, as the suites' titles show them. */
const on = (nodeMajor: 20 | 24): string => (FORK_SERVER ? 'on Node 24, fork server' : `on Node ${nodeMajor}`)

export const runtimes: Readonly<Record<RuntimeName, Runtime>> = {
  vitest4: {
    name: 'vitest4',
    framework: 'vitest',
    label: `Vitest 4.1 ${on(20)}`,
    bin: join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
    // The repository's Vitest; isolated-test as the e2e global setup unpacked it.
    links: { vitest: join(repoRoot, 'node_modules', 'vitest'), 'isolated-test': join(fixtures, 'vitest4', 'node_modules', 'isolated-test') },
    node: defaultNode,
  },
  vitest5: {
    name: 'vitest5',
    framework: 'vitest',
    label: `Vitest 5.1 ${on(24)}`,
    bin: join(fixtures, 'vitest5', 'node_modules', 'vitest', 'vitest.mjs'),
    links: { vitest: join(fixtures, 'vitest5', 'node_modules', 'vitest'), 'isolated-test': join(fixtures, 'vitest5', 'node_modules', 'isolated-test') },
    node: () => nodeBinary(24),
  },
  jest29: {
    name: 'jest29',
    framework: 'jest',
    label: `Jest 29 ${on(20)}`,
    bin: join(fixtures, 'jest29', 'node_modules', 'jest', 'bin', 'jest.js'),
    links: { jest: join(fixtures, 'jest29', 'node_modules', 'jest'), 'isolated-test': join(fixtures, 'jest29', 'node_modules', 'isolated-test') },
    node: defaultNode,
  },
  jest30: {
    name: 'jest30',
    framework: 'jest',
    label: `Jest 30 ${on(20)}`,
    bin: join(fixtures, 'jest30', 'node_modules', 'jest', 'bin', 'jest.js'),
    links: { jest: join(fixtures, 'jest30', 'node_modules', 'jest'), 'isolated-test': join(fixtures, 'jest30', 'node_modules', 'isolated-test') },
    node: defaultNode,
  },
}

/**
 * The runtimes `npm test` runs the fidelity suites on: the default path (Vitest 4.1 on Node 20) and
 * Jest 30. They take about 5 minutes per runtime; E2E_FIDELITY=all adds Vitest 5.1 and Jest 29.
 */
export function fidelityRuns(runtime: Runtime): boolean {
  return process.env.E2E_FIDELITY === 'all' || runtime.name === 'vitest4' || runtime.name === 'jest30'
}

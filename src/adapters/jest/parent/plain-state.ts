// Under a plain Jest setup, `isolated()` runs inside Jest's vm context, where jest-circus keeps its
// state on the context's global under an unregistered symbol. Finding it by its description gives the
// running test: its describe chain, its own timeout and the file's timeout.
import type { CircusState, TestEntry } from '../circus-types.js'

/** Set on the test's global by the `isolated-test/jest` environment: it is not a plain setup. */
export const ENVIRONMENT_MARK = Symbol.for('isolated-test.environment')

export interface JestTestContext {
  readonly state: CircusState
  readonly test: TestEntry
  readonly testPath: string
  /** The stack at the call, taken synchronously: it shows the running jest-circus. */
  readonly callStack: string
}

/** jest-circus's state of the file being run in this vm context, if any. */
export function circusState(global: object = globalThis): CircusState | undefined {
  const key = Object.getOwnPropertySymbols(global).find((s) => s.description === 'JEST_STATE_SYMBOL')
  return key ? ((global as Record<symbol, CircusState | undefined>)[key] ?? undefined) : undefined
}

export function currentJestTest(global: object = globalThis): JestTestContext | undefined {
  const state = circusState(global)
  const test = state?.currentlyRunningTest
  if (!state || !test) return undefined
  const expect = (global as { expect?: { getState?: () => { testPath?: string } } }).expect
  const testPath = expect?.getState?.().testPath
  if (typeof testPath !== 'string') return undefined
  return { state, test, testPath, callStack: new Error().stack ?? '' }
}

// Under a plain Jest setup, `isolated()` runs inside Jest's vm context, where jest-circus keeps its
// state on the context's global under an unregistered symbol. Finding it by its description gives the
// running test: its describe chain, its own timeout and the file's timeout.
import type { CircusState, TestEntry } from '../circus-types.js'
import { fullName, testsInOrder } from '../tests.js'

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

/** What circus tells `expect` about the running test (Jest 29 and 30 differ). */
interface ExpectState {
  testPath?: string
  /** Jest 30: the test whose async context this is (circus's AsyncLocalStorage), concurrent or not. */
  currentTestIdentity?: () => unknown
  /** Jest 29 and 30: the full name of the concurrent test whose async context this is. */
  currentConcurrentTestName?: () => string | undefined
}

/**
 * The test this call belongs to. Under `test.concurrent` circus starts several bodies at once and
 * `currentlyRunningTest` is only the last one started (Jest 30) or the first (Jest 29): the test is the
 * one whose async context the body runs in, as circus tells `expect` (the same way its snapshots know).
 */
function runningTest(state: CircusState, expect: ExpectState | undefined): TestEntry | null {
  const identity = expect?.currentTestIdentity?.() as TestEntry | undefined
  if (identity && typeof identity === 'object' && identity.type === 'test') return identity
  const name = expect?.currentConcurrentTestName?.()
  if (typeof name !== 'string') return state.currentlyRunningTest
  const named = testsInOrder(state.rootDescribeBlock).filter((t) => fullName(t) === name)
  // Concurrent tests with one name are told apart only when one of them is circus's current test.
  return named.find((t) => t === state.currentlyRunningTest) ?? named[0] ?? state.currentlyRunningTest
}

export function currentJestTest(global: object = globalThis): JestTestContext | undefined {
  const state = circusState(global)
  const expect = (global as { expect?: { getState?: () => ExpectState } }).expect?.getState?.()
  const test = state && runningTest(state, expect)
  if (!state || !test) return undefined
  const testPath = expect?.testPath
  if (typeof testPath !== 'string') return undefined
  return { state, test, testPath, callStack: new Error().stack ?? '' }
}

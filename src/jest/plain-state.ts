// Under a plain Jest setup, `isolated()` runs inside Jest's vm context, where jest-circus keeps its
// state on the context's global under an unregistered symbol. Finding it by its description gives the
// running test: its describe chain, its own timeout and the file's timeout.
import type { CircusState, TestEntry } from './circus-types.js'

export interface JestTestContext {
  readonly state: CircusState
  readonly test: TestEntry
  readonly testPath: string
  /** The stack at the call, taken synchronously: it shows the running jest-circus. */
  readonly callStack: string
}

export function currentJestTest(global: object = globalThis): JestTestContext | undefined {
  const key = Object.getOwnPropertySymbols(global).find((s) => s.description === 'JEST_STATE_SYMBOL')
  const state = key ? ((global as Record<symbol, CircusState | undefined>)[key] ?? undefined) : undefined
  const test = state?.currentlyRunningTest
  if (!state || !test) return undefined
  const expect = (global as { expect?: { getState?: () => { testPath?: string } } }).expect
  const testPath = expect?.getState?.().testPath
  if (typeof testPath !== 'string') return undefined
  return { state, test, testPath, callStack: new Error().stack ?? '' }
}

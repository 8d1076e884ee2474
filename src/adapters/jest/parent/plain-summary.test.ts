// The one summary line per file under a plain Jest setup, and the run id every worker derives alike.
import { expect, test } from 'vitest'
import { RUN_ID_ENV } from '../../../core/state/report-file.js'
import type { CircusState, DescribeBlock, TestConsole } from '../circus-types.js'
import { ENVIRONMENT_MARK } from './plain-state.js'
import { countSummary, watchPlainFile } from './plain-summary.js'
import { ensureJestRunId } from './run-id.js'

function sandbox(hasStarted = false): { global: Record<string | symbol, unknown>; root: DescribeBlock; warned: unknown[][] } {
  const root: DescribeBlock = { type: 'describeBlock', name: 'ROOT_DESCRIBE_BLOCK', parent: undefined, children: [], hooks: [], mode: undefined }
  const state = { rootDescribeBlock: root, currentDescribeBlock: root, currentlyRunningTest: null, testTimeout: 5000, hasFocusedTests: false, unhandledErrors: [], hasStarted } as CircusState
  const warned: unknown[][] = []
  const console = { warn: (...args: unknown[]) => warned.push(args) } as unknown as TestConsole
  // jest-circus keeps its state under an unregistered symbol of this description.
  return { global: { [Symbol('JEST_STATE_SYMBOL')]: state, console }, root, warned }
}

test('adds one afterAll to the root block while the file loads, which prints the count once', async () => {
  const { global, root, warned } = sandbox()
  watchPlainFile(global)
  watchPlainFile(global)
  expect(root.hooks.map((h) => h.type)).toEqual(['afterAll'])
  countSummary('one', global.console as TestConsole, global)
  countSummary('two', global.console as TestConsole, global)
  expect(warned).toEqual([])
  await root.hooks[0]!.fn()
  expect(warned).toHaveLength(1)
  expect(String(warned[0]![1])).toMatch(/^isolated-test: 2 isolated test\(s\) of this file passed with state that differs/)
})

test('no hook once the run started, nor under the environment: a summary then prints at once', () => {
  const started = sandbox(true)
  const environment = sandbox()
  environment.global[ENVIRONMENT_MARK] = true
  for (const { global, root, warned } of [started, environment]) {
    watchPlainFile(global)
    expect(root.hooks).toEqual([])
    countSummary('now', global.console as TestConsole, global)
    expect(warned).toEqual([['%s', 'now']])
  }
})

test('the run id: one per Jest run (main process and seed), unless one is set', () => {
  const env: NodeJS.ProcessEnv = {}
  ensureJestRunId(env, -2)
  const main = process.connected ? process.ppid : process.pid
  expect(env[RUN_ID_ENV]).toBe(`jest-${main}-fffffffe`)
  const set: NodeJS.ProcessEnv = { [RUN_ID_ENV]: 'ci-42' }
  ensureJestRunId(set, 1)
  expect(set[RUN_ID_ENV]).toBe('ci-42')
})

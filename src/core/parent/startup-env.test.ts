import { afterEach, expect, test } from 'vitest'
import { readStartupEnv, startupEnvWith } from './startup-env.js'

afterEach(() => {
  delete process.env.E2E_FRAMEWORK_SET_LATE
  delete process.env.E2E_TEST_CODE_SET_LATE
})

test("the framework's variables set at run time join the start-up environment; others do not", () => {
  process.env.E2E_FRAMEWORK_SET_LATE = '3'
  process.env.E2E_TEST_CODE_SET_LATE = 'yes'
  const env = startupEnvWith(['E2E_FRAMEWORK_SET_LATE', 'E2E_NEVER_SET'])
  expect(env.E2E_FRAMEWORK_SET_LATE).toBe('3')
  expect('E2E_NEVER_SET' in env).toBe(false)
  expect('E2E_TEST_CODE_SET_LATE' in env).toBe(false)
  // The start-up environment itself is not changed.
  expect('E2E_FRAMEWORK_SET_LATE' in readStartupEnv()).toBe(false)
})

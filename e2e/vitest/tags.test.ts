// The plugin's `tags` option: with Vitest 4.1 test tags, only tests carrying one of them run isolated.
import { expect, test } from 'vitest'
import { join } from 'node:path'
import { repoRoot } from '../helpers/package.js'
import { survivors } from '../helpers/processes.js'
import { runVitest } from '../helpers/run-vitest.js'

test('only tagged tests run in a child', async () => {
  const run = runVitest(join(repoRoot, 'fixtures', 'vitest4-tags'), [])
  expect(run.test('a tagged test runs isolated').status).toBe('passed')
  expect(run.test('an untagged test stays in-process').status).toBe('passed')
  expect(run.test('a test with another tag stays in-process').status).toBe('passed')
  // Exactly one child for the one tagged test (plus at most one spare).
  expect(run.pids.length).toBeGreaterThanOrEqual(1)
  expect(run.pids.length).toBeLessThanOrEqual(2)
  expect(await survivors(run.pids)).toEqual([])
})

import { expect, test } from 'vitest'
import { killWindow, MAX_TIMEOUT, resolveOptions } from '../../../core/options.js'
import type { CircusState, DescribeBlock, Hook, TestEntry } from '../circus-types.js'
import { planTest } from './plan.js'
import { fullName, namePath, testsInOrder } from '../tests.js'

function tree(): { root: DescribeBlock; inner: TestEntry; top: TestEntry } {
  const root: DescribeBlock = { type: 'describeBlock', name: 'ROOT_DESCRIBE_BLOCK', parent: undefined, children: [], hooks: [], mode: undefined }
  const outer: DescribeBlock = { type: 'describeBlock', name: 'outer', parent: root, children: [], hooks: [], mode: undefined }
  const test = (name: string, parent: DescribeBlock, timeout?: number): TestEntry =>
    ({ type: 'test', name, fn: () => {}, mode: undefined, concurrent: false, failing: false, timeout, parent, asyncError: new Error(), errors: [] }) as TestEntry
  const inner = test('x', outer)
  const top = test('x', root, 700)
  outer.children.push(inner)
  root.children.push(outer, top)
  const hook = (type: Hook['type'], parent: DescribeBlock, timeout?: number): Hook => ({ fn: () => {}, type, timeout, parent, asyncError: new Error() })
  root.hooks.push(hook('beforeAll', root, 100))
  outer.hooks.push(hook('beforeEach', outer))
  return { root, inner, top }
}
const state = (root: DescribeBlock): CircusState =>
  ({ rootDescribeBlock: root, currentDescribeBlock: root, currentlyRunningTest: null, testTimeout: 5000, hasFocusedTests: false, unhandledErrors: [] }) as CircusState

test('names and registration order', () => {
  const { root, inner, top } = tree()
  expect(testsInOrder(root)).toEqual([inner, top])
  expect(namePath(inner)).toEqual(['outer', 'x'])
  expect(fullName(top)).toBe('x')
})

test("without `timeout` the body's limit is the test's Jest timeout; Jest's timer covers boot, hooks, body and the kill window", () => {
  const { root, inner, top } = tree()
  const options = resolveOptions({})
  const plan = planTest(inner, state(root), options, undefined, undefined)
  expect(plan.limits.timeout).toBe(5000)
  // beforeAll (100) and beforeEach (the Jest timeout, 5000) run in the child too.
  expect(plan.jestTimeout).toBeGreaterThan(options.bootTimeout + 5000 + 100 + 5000 + killWindow(options))
  expect(planTest(top, state(root), options, undefined, undefined).limits.timeout).toBe(700)
})

test('an explicit limit is used for the body and the hooks; no limit means no Jest timer to speak of', () => {
  const { root, inner } = tree()
  const plan = planTest(inner, state(root), resolveOptions({ timeout: 300, hooks: 'parent' }), undefined, 300)
  expect(plan.limits.timeout).toBe(300)
  expect(plan.hookTimeout).toBe(300)
  expect(planTest(inner, state(root), resolveOptions({ timeout: 0 }), undefined, 0).jestTimeout).toBe(MAX_TIMEOUT)
})

test("isolated(ms) on a body sets the body's limit; the hooks keep the file's (Jest's own beforeEach included)", () => {
  const { root, inner } = tree()
  const plan = planTest(inner, state(root), resolveOptions({ timeout: 10 }), undefined, undefined)
  expect(plan.limits.timeout).toBe(10)
  expect(plan.hookTimeout).toBeUndefined()
})

// Keeps hooks out of the parent for tests that run them in their child: the runner's live hook arrays
// are wrapped in place. beforeEach/afterEach skip those tests; beforeAll/afterAll run here only if
// some test of the suite stays here; aroundEach/aroundAll just pass through for them.
import { TestRunner } from 'vitest'
import type { Suite, Task } from '@vitest/runner'

type Hook = (...args: unknown[]) => unknown
const WRAPPED = Symbol('isolated-test.parent-hook')

function needsParent(suite: Suite, inChild: (t: Task) => boolean): boolean {
  return suite.tasks.some((t) => (t.type === 'suite' ? needsParent(t, inChild) : t.mode !== 'skip' && t.mode !== 'todo' && !inChild(t)))
}

export function wrapParentHooks(suite: Suite, inChild: (t: Task | undefined) => boolean): void {
  const hooks = (TestRunner as unknown as { getSuiteHooks(s: Suite): Record<string, Hook[]> | undefined }).getSuiteHooks(suite)
  const parentNeeded = needsParent(suite, inChild)
  const wrap = (name: string, make: (hook: Hook) => Hook): void => {
    const list = hooks?.[name]
    if (!list) return
    for (let i = 0; i < list.length; i++) {
      const hook = list[i]!
      if ((hook as unknown as Record<symbol, boolean>)[WRAPPED]) continue
      const wrapped = make(hook)
      Object.defineProperty(wrapped, WRAPPED, { value: true })
      list[i] = wrapped
    }
  }
  const taskOf = (context: unknown): Task | undefined => (context as { task?: Task } | undefined)?.task
  wrap('beforeEach', (h) => function (this: unknown, context, s) { return inChild(taskOf(context)) ? undefined : h.call(this, context, s) })
  wrap('afterEach', (h) => function (this: unknown, context, s) { return inChild(taskOf(context)) ? undefined : h.call(this, context, s) })
  wrap('aroundEach', (h) => function (this: unknown, use, context, s) { return inChild(taskOf(context)) ? (use as () => unknown)() : h.call(this, use, context, s) })
  if (!parentNeeded) {
    wrap('beforeAll', () => () => undefined)
    wrap('afterAll', () => () => undefined)
    wrap('aroundAll', () => (use) => (use as () => unknown)())
  }
  for (const t of suite.tasks) if (t.type === 'suite') wrapParentHooks(t, inChild)
}

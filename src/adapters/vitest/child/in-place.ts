// A wrapper called inside a Vitest child. When Vitest calls it as the target test's body (one of its
// arguments is a context whose task is the target), it gets the parent's fixtures and row and, for an
// `isolated()` body, the state carry and report around it; anything else (a wrapped function called
// from the body) just runs here.
import { IsolatedMismatchError } from '../../../core/errors.js'
import { asPhase, phaseStarts } from '../../../core/child/phase.js'
import { getChildState, siteKey, type InPlaceCall } from '../../../core/child/state.js'
import { runBodyWithState } from '../../../core/child/state-carry.js'
import type { AnyFunction } from '../../../core/state/closure.js'

export function runInPlace({ fn, thisArg, args, site, options }: InPlaceCall): unknown {
  const child = getChildState()
  const target = child?.request.target
  if (!child || target?.kind !== 'test') return fn.apply(thisArg, args)
  // The context is first, or second after a test.for row.
  const at = args.findIndex((arg) => (arg as { task?: { id?: unknown } } | null | undefined)?.task?.id === target.test.testId)
  if (at < 0) return fn.apply(thisArg, args)
  const context = args[at] as Record<string, unknown>
  const expected = target.test.site
  // Under the plugin the parent only saw Vitest's wrapper: this body's own limit applies from here.
  if (!expected && options.timeout !== undefined) {
    phaseStarts(child, 'body', options.timeout, `isolated(ms) on the test body (${options.timeout} ms)`)
  }
  if (expected && siteKey(expected) !== siteKey(site)) {
    throw new IsolatedMismatchError(`The test body was wrapped at ${siteKey(expected)} in the parent but at ${siteKey(site)} in the child.`)
  }
  for (const [k, v] of Object.entries(child.request.context)) context[k] = v
  // The row the parent's body got, when it could cross; the context stays this process's own.
  const given = target.test.args
  const callArgs = given ? args.map((arg, i) => (i === at ? arg : given[i])) : args
  const call = (): unknown => fn.apply(thisArg, callArgs)
  // isolated() on a body: the state carry and report wrap the raw body here (under the plugin, the
  // runner does it), and the body's phase is the user's function alone.
  if (expected) return runBodyWithState(child, fn as AnyFunction, () => asPhase(child, 'body', call))
  return call()
}

// A wrapper called inside a Vitest child. When Vitest calls it as the target test's body (its context's
// task is the target), it gets the parent's fixtures and, for an `isolated()` body, the state carry and
// report around it; anything else (a wrapped function called from the body) just runs here.
import { IsolatedMismatchError } from '../../../core/errors.js'
import { asPhase, phaseStarts } from '../../../core/child/phase.js'
import { getChildState, siteKey, type InPlaceCall } from '../../../core/child/state.js'
import { runBodyWithState } from '../../../core/child/state-carry.js'
import type { AnyFunction } from '../../../core/state/closure.js'

export function runInPlace({ fn, thisArg, args, site, options }: InPlaceCall): unknown {
  const child = getChildState()
  const target = child?.request.target
  const first = args[0] as Record<string, unknown> | undefined
  const call = (): unknown => fn.apply(thisArg, args)
  if (!child || target?.kind !== 'test' || !first || (first.task as { id?: string } | undefined)?.id !== target.test.testId) return call()
  const expected = target.test.site
  // Under the plugin the parent only saw Vitest's wrapper: this body's own limit applies from here.
  if (!expected && options.timeout !== undefined) {
    phaseStarts(child, 'body', options.timeout, `isolated(ms) on the test body (${options.timeout} ms)`)
  }
  if (expected && siteKey(expected) !== siteKey(site)) {
    throw new IsolatedMismatchError(`The test body was wrapped at ${siteKey(expected)} in the parent but at ${siteKey(site)} in the child.`)
  }
  for (const [k, v] of Object.entries(child.request.context)) first[k] = v
  // isolated() on a body: the state carry and report wrap the raw body here (under the plugin, the
  // runner does it), and the body's phase is the user's function alone.
  if (expected) return runBodyWithState(child, fn as AnyFunction, () => asPhase(child, 'body', call))
  return call()
}

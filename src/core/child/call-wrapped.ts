// A wrapped function called with arguments (`const work = isolated(1000)(fn); await work(1)`), in the
// child: once the test file is imported, find the function by the site it was created at and call it,
// with the state carry and report around it. Used by the Vitest and the Jest child alike.
import { IsolatedMismatchError, IsolatedSerializationError } from '../errors.js'
import { TAG, type RunRequest } from '../ipc/protocol.js'
import { serializeThrown, withoutOwnFrames } from '../ipc/serialize.js'
import { findUncopyable } from '../copyable.js'
import type { StateScope } from '../state/snapshot.js'
import type { AnyFunction } from '../state/closure.js'
import { runBodyWithState } from './state-carry.js'
import { asPhase } from './phase.js'
import { siteKey, type ChildState } from './state.js'

/** `scope`: where the test's globals and env live (Jest's sandbox); default this realm's. */
export async function callWrapped(state: ChildState, request: RunRequest, scope: StateScope = {}): Promise<void> {
  if (request.target.kind !== 'call') return
  const { site, args } = request.target
  const fn = state.wrappers.get(`${siteKey(site)}#${site.ordinal}`)
  if (!fn) {
    state.resultSent = true
    state.send({
      [TAG]: true,
      kind: 'fatal',
      error: serializeThrown(
        new IsolatedMismatchError(
          `The child imported the test file but no isolated() wrapper was created at ${siteKey(site)} (#${site.ordinal}). Wrap functions at module scope of a module the test file imports.`,
        ),
      ),
    })
    return
  }
  state.resultSent = true
  try {
    state.bodyStarted = performance.now()
    const value = await runBodyWithState(state, fn as AnyFunction, () => asPhase(state, 'body', () => fn(...args)), scope)
    const bad = findUncopyable(value, 'result')
    if (bad) throw new IsolatedSerializationError(bad.path, bad.reason)
    state.send({ [TAG]: true, kind: 'result', result: { kind: 'value', value } })
  } catch (error) {
    state.send({ [TAG]: true, kind: 'result', result: { kind: 'thrown', error: serializeThrown(withoutOwnFrames(error)) } })
  }
}

// The child's side of the clock: each timed phase (a hook, the body) is announced when the user's own
// function starts and when it settles, with the time measured here (core/clock.ts). Everything between
// two phases is the framework's and ours, which the parent bounds separately.
import { TAG } from '../ipc/protocol.js'
import { trace } from '../trace.js'
import { monotonicMs } from '../clock.js'
import type { ChildState } from './state.js'
import { userCodeStarts } from './warnings.js'

export function phaseStarts(state: Pick<ChildState, 'send'>, phase: string, limit?: number, setting?: string): void {
  trace(`c.phase.${phase}`)
  userCodeStarts()
  state.send({ [TAG]: true, kind: 'phase', phase, limit, ...(setting === undefined ? {} : { setting }), at: monotonicMs() })
}

export function phaseEnds(state: Pick<ChildState, 'send'>, phase: string): void {
  trace(`c.phase-end.${phase}`)
  state.send({ [TAG]: true, kind: 'phase-end', phase, at: monotonicMs() })
}

/** Our own work inside the current phase took `ms` (the parent moves the phase's deadline by as much). */
export function phaseExcludes(state: Pick<ChildState, 'send'>, ms: number): void {
  if (ms > 0) state.send({ [TAG]: true, kind: 'phase-ours', ms })
}

/** Calls `fn` as the phase: announced before, and its end announced when it returns, throws or settles. */
export function asPhase<T>(state: Pick<ChildState, 'send'>, phase: string, fn: () => T, limit?: number, setting?: string): T {
  phaseStarts(state, phase, limit, setting)
  let result: T
  try {
    result = fn()
  } catch (error) {
    phaseEnds(state, phase)
    throw error
  }
  if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function')) {
    const ends = (): void => phaseEnds(state, phase)
    return (result as unknown as PromiseLike<unknown>).then(
      (value) => {
        ends()
        return value
      },
      (error: unknown) => {
        ends()
        throw error
      },
    ) as unknown as T
  }
  phaseEnds(state, phase)
  return result
}

// The child's side of the state across the boundary: under 'fork', carry the parent's globals and
// the body's captured variables in; around the body, take the snapshots the report compares.
import type { ChildState } from './state.js'
import type { StateRequest } from '../ipc/protocol.js'
import { takeSnapshot, type StateSnapshot } from '../state/snapshot.js'
import { applyCapturedVariables, applyCapturedVariablesWhenCalled, type AnyFunction, type ApplyResult } from '../state/closure.js'
import { variablesToCarry } from '../state/diff.js'
import { buildReport } from '../state/report.js'
import { holdValue, sameHeld } from '../state/held.js'

type Carried = Pick<ApplyResult<unknown>, 'applied' | 'notApplied'>

/** Sets the parent's copyable globals that the child lacks or has differently (symbols stay). */
function carryGlobals(parent: StateSnapshot): void {
  const g = globalThis as Record<string, unknown>
  for (const [name, held] of Object.entries(parent.globals)) {
    if (held.kind !== 'copy' || name.startsWith('Symbol(')) continue
    if (name in g && sameHeld(holdValue(g[name], name), held)) continue
    try {
      g[name] = held.value
    } catch {
      // read-only: the report names it as not carried
    }
  }
}

function snapshotOf(req: StateRequest, body: AnyFunction | undefined): StateSnapshot {
  return takeSnapshot({ capture: body, captureFile: req.file, locateListeners: false, ignoreLeaks: req.ignoreLeaks })
}

export interface StateSession {
  /** Calls the body with the parent's captured variables carried in (fork), synchronously or once a framework calls it. */
  invoke<T>(invoke: () => T, calledLater: boolean): Promise<T>
  /** Takes the closing snapshot and stores the report for the result message. */
  finish(): void
}

/**
 * Starts the state work for one body: carries globals now (env and cwd came with the request) and
 * takes the child's opening snapshot. With `hooks: 'child'` this runs before the first hook, so the
 * child's own hooks still win; otherwise at the body's first statement.
 */
export function beginState(child: ChildState, body: AnyFunction | undefined): StateSession | undefined {
  const req = child.request.state
  if (!req) return undefined
  if (req.carry && req.parent) carryGlobals(req.parent)
  const report = req.leaks !== 'off'
  const before = report || req.carry ? snapshotOf(req, body) : undefined
  let carried: Carried | undefined
  return {
    async invoke(invoke, calledLater) {
      const vars = req.carry && body && req.parent?.captured && before?.captured ? variablesToCarry(req.parent.captured, before.captured) : []
      if (!body || vars.length === 0) return invoke()
      if (calledLater) {
        const applied = await applyCapturedVariablesWhenCalled(body, vars, async () => invoke())
        carried = applied
        return applied.returned
      }
      const applied = applyCapturedVariables(body, vars, invoke)
      carried = applied
      return applied.returned
    },
    finish() {
      if (!report || !before) return
      try {
        child.report = buildReport({ parent: req.parent, childBefore: before, childAfter: snapshotOf(req, body), carry: carried })
      } catch {
        // The report is an aid; it never fails the test by itself breaking.
      }
    },
  }
}

/** Runs a body (a test body or a wrapped function) with the state carry and report around it. */
export async function runBodyWithState<T>(child: ChildState, body: AnyFunction, invoke: () => T): Promise<Awaited<T>> {
  const session = beginState(child, body)
  if (!session) return await invoke()
  try {
    return await session.invoke(invoke, false)
  } finally {
    session.finish()
  }
}

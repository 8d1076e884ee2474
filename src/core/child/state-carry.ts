// The child's side of the state across the boundary: under 'fork', carry the parent's globals and
// the body's captured variables in; around the body, take the snapshots the report compares.
import { phaseExcludes } from './phase.js'
import type { ChildState } from './state.js'
import type { StateRequest } from '../ipc/protocol.js'
import { takeSnapshot, type StateSnapshot } from '../state/snapshot.js'
import { applyCapturedVariables, applyCapturedVariablesWhenCalled, type AnyFunction, type ApplyResult } from '../state/closure.js'
import { variablesToCarry } from '../state/diff.js'
import { buildReport } from '../state/report.js'
import { holdValue, sameHeld } from '../state/held.js'
import { encodeValue, REBUILD_SOURCE, type Encoded } from '../state/encode.js'
import type { StateScope } from '../state/snapshot.js'

type Carried = Pick<ApplyResult<unknown>, 'applied' | 'notApplied'>

/** Values for another realm's global (Jest's sandbox) are built by that realm, so `instanceof` holds there. */
function builderFor(target: object): (value: unknown) => unknown {
  if (target === globalThis) return (value) => value
  const RealmFunction = (target as { Function?: FunctionConstructor }).Function ?? Function
  const rebuild = new RealmFunction(`return ${REBUILD_SOURCE}`)() as (tree: Encoded) => unknown
  return (value) => rebuild(encodeValue(value))
}

/** Sets the parent's copyable globals that the child lacks or has differently (symbols stay). */
function carryGlobals(parent: StateSnapshot, target: object): void {
  const g = target as Record<string, unknown>
  const build = builderFor(target)
  for (const [name, held] of Object.entries(parent.globals)) {
    if (held.kind !== 'copy' || name.startsWith('Symbol(')) continue
    if (name in g && sameHeld(holdValue(g[name], name), held)) continue
    try {
      g[name] = build(held.value)
    } catch {
      // read-only: the report names it as not carried
    }
  }
}

function snapshotOf(req: StateRequest, body: AnyFunction | undefined, scope: StateScope): StateSnapshot {
  return takeSnapshot({ capture: body, captureFile: req.file, locateListeners: false, ignoreLeaks: req.ignoreLeaks, global: scope.global, env: scope.env })
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
 * child's own hooks still win; otherwise at the body's first statement. `scope` is where the test's
 * globals and env live: under Jest, its sandbox global and that global's `process.env`.
 */
export function beginState(child: ChildState, body: AnyFunction | undefined, scope: StateScope = {}): StateSession | undefined {
  const req = child.request.state
  if (!req) return undefined
  if (req.carry && req.parent) carryGlobals(req.parent, scope.global ?? globalThis)
  const report = req.leaks !== 'off'
  const before = report || req.carry ? snapshotOf(req, body, scope) : undefined
  // With hooks in the child the session starts before them: what the child's own hooks set is not a
  // change the body made, so the body's part of the report starts at its first statement.
  const hooksFirst = child.request.hooks === 'child'
  let bodyStart: StateSnapshot | undefined
  let after: StateSnapshot | undefined
  let carried: Carried | undefined
  const settle = (): void => {
    // "Left open" and "changed" are judged when the body settles, before afterEach hooks tidy up.
    if (report && before) after = snapshotOf(req, body, scope)
  }
  const ourPause = (ms: number): void => phaseExcludes(child, ms)
  const run = async <T>(invoke: () => T, calledLater: boolean): Promise<T> => {
    const vars = req.carry && body && req.parent?.captured && before?.captured ? variablesToCarry(req.parent.captured, before.captured) : []
    if (!body || vars.length === 0) return await invoke()
    if (calledLater) {
      const applied = await applyCapturedVariablesWhenCalled(body, vars, async () => invoke(), ourPause)
      carried = applied
      return await applied.returned
    }
    // A body that throws at once was still carried into: keep what was applied for the report.
    let thrown: { error: unknown } | undefined
    const applied = applyCapturedVariables(
      body,
      vars,
      () => {
        try {
          return invoke()
        } catch (error) {
          thrown = { error }
          return undefined
        }
      },
      ourPause,
    )
    carried = applied
    if (thrown) throw thrown.error
    return await (applied.returned as T)
  }
  return {
    async invoke<T>(invoke: () => T, calledLater: boolean): Promise<T> {
      if (hooksFirst && report && before) bodyStart = snapshotOf(req, body, scope)
      try {
        return await run(invoke, calledLater)
      } finally {
        settle()
      }
    },
    finish() {
      if (!report || !before) return
      try {
        child.report = buildReport({ parent: req.parent, childBefore: before, bodyStart, childAfter: after ?? snapshotOf(req, body, scope), carry: carried })
      } catch {
        // The report is an aid; it never fails the test by itself breaking.
      }
    },
  }
}

/** Runs a body (a test body or a wrapped function) with the state carry and report around it. */
export async function runBodyWithState<T>(child: ChildState, body: AnyFunction, invoke: () => T, scope: StateScope = {}): Promise<Awaited<T>> {
  const session = beginState(child, body, scope)
  if (!session) return await invoke()
  try {
    return await session.invoke(invoke, false)
  } finally {
    session.finish()
  }
}

/**
 * Run once in a zygote before it is ready: every child takes two snapshots and a report, and a child
 * that inherits the compiled code and the connected inspector session does not pay for them again.
 */
export function warmStateReport(): void {
  try {
    let kept = 0
    const body = (): number => ++kept
    const before = takeSnapshot({ capture: body, locateListeners: false })
    body()
    buildReport({ parent: undefined, childBefore: before, bodyStart: undefined, childAfter: takeSnapshot({ capture: body, locateListeners: false }), carry: undefined })
  } catch {
    // a warm-up only
  }
}

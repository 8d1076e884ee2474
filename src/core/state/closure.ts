// The variables a function closes over, read and set in-process through the inspector (inspector.md
// §2, §3). Reading is how the report names module and closure state; setting is how 'fork' carries the
// parent's values into the child at the body's first statement.
import { encodeValue } from './encode.js'
import { carryExpression, isIdentifier } from './frame-source.js'
import { holdValue, type HeldValue } from './held.js'
import { compileIgnoreLeaks, isIgnored, isLoaderVariable } from './ignored.js'
import {
  fileOfScript, handlesOf, locationIn, onNotification, post, propertiesOf, releaseHandles, unboundFunction,
  valuesOf, holdDebugger, releaseDebugger, type RemoteObject, type ScriptLocation,
} from './inspector.js'

/** `module`: the top level of a file (ESM, CommonJS, or Vite's transformed module); `script`: a classic script's top-level lexical scope. */
export type ScopeKind = 'closure' | 'module' | 'script'

export interface CapturedVariable {
  readonly name: string
  readonly scope: ScopeKind
  /** V8's name for the scope: `Closure (outer)`, `Block`, `Module`. */
  readonly scopeLabel: string
  /** Position in the scope chain, 0 = innermost. */
  readonly depth: number
  readonly value: HeldValue
}

export interface CapturedVariables {
  readonly functionName: string
  /** The file the function (and so each of its scopes) is in; undefined for eval'd or vm code without a name. */
  readonly file: string | undefined
  readonly variables: readonly CapturedVariable[]
}

export interface ReadOptions {
  /** Names or globs to leave out (see `compileIgnoreLeaks`). */
  readonly ignoreLeaks?: readonly string[]
  /**
   * The file `fn` is defined in, when the caller knows it (the test file). Finding it otherwise costs a
   * `Debugger.enable`, 10–70 ms, once per newly loaded script.
   */
  readonly file?: string
}

export type AnyFunction = (...args: never[]) => unknown

interface Scope {
  readonly label: string
  readonly vars: readonly { readonly name: string; readonly value: RemoteObject }[]
}

const MODULE_WRAPPER_LABEL = /^(?:Closure|Block|Closure \(Object\.<anonymous>\))$/

/**
 * Which scopes are a file's top level. V8 says `Module` for real ES modules; CommonJS (Node's and Jest's
 * wrapper) and Vite's transformed modules are functions, so their top level is the outermost closure
 * (an anonymous one, or Jest's `Object.<anonymous>`), or any scope holding a loader's variables.
 */
function classify(scopes: readonly Scope[]): ScopeKind[] {
  const kinds = scopes.map((s): ScopeKind => (s.label === 'Module' ? 'module' : s.label === 'Script' ? 'script' : 'closure'))
  if (kinds.includes('module')) return kinds
  const marked = scopes.findIndex((s) => s.vars.some((v) => /^__vite_ssr_|^__vi_|^require$|^module$|^exports$/.test(v.name)))
  const outermost = kinds.lastIndexOf('closure')
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] !== 'closure') continue
    if ((marked >= 0 && i >= marked) || (i === outermost && MODULE_WRAPPER_LABEL.test(scopes[i]!.label))) kinds[i] = 'module'
  }
  return kinds
}

/** The variables `fn` closes over, innermost scope first, each copied (or described) as it is now. */
export function readCapturedVariables(fn: AnyFunction, options: ReadOptions = {}): CapturedVariables {
  const user = compileIgnoreLeaks(options.ignoreLeaks)
  try {
    const { internal } = unboundFunction(handlesOf([fn])[0]!)
    const location = options.file === undefined ? locationIn(internal) : undefined
    const file = options.file ?? (location ? fileOfScript(location.scriptId) : undefined)
    const scopesId = internal.find((p) => p.name === '[[Scopes]]')?.value?.objectId
    const scopes: Scope[] = []
    for (const entry of scopesId ? propertiesOf(scopesId) : []) {
      const label = entry.value?.description ?? ''
      if (!/^\d+$/.test(entry.name) || !entry.value?.objectId || label === 'Global') continue
      const vars = propertiesOf(entry.value.objectId).flatMap((p) => (p.value ? [{ name: p.name, value: p.value }] : []))
      scopes.push({ label, vars })
    }
    const kinds = classify(scopes)
    const kept: Omit<CapturedVariable, 'value'>[] = []
    const remotes: RemoteObject[] = []
    scopes.forEach((scope, depth) => {
      const kind = kinds[depth]!
      for (const v of scope.vars) {
        if (!isIdentifier(v.name) || isIgnored(kind === 'closure' ? 'closure' : 'module', v.name, user)) continue
        if (kind === 'module' && isLoaderVariable(v.name)) continue
        kept.push({ name: v.name, scope: kind, scopeLabel: scope.label, depth })
        remotes.push(v.value)
      }
    })
    const values = valuesOf(remotes)
    return { functionName: fn.name, file, variables: kept.map((k, i) => ({ ...k, value: holdValue(values[i], k.name) })) }
  } finally {
    releaseHandles()
  }
}

export interface CarryOutcome {
  readonly name: string
  readonly scope: ScopeKind
  readonly depth: number
}

export interface AppliedVariable extends CarryOutcome {
  /** `assigned` (a `let`), `refilled` (a `const` container, in place), `unchanged` (already equal). */
  readonly how: 'assigned' | 'refilled' | 'unchanged'
}

export interface UnappliedVariable extends CarryOutcome {
  readonly reason: string
}

export interface ApplyResult<T> {
  readonly applied: readonly AppliedVariable[]
  readonly notApplied: readonly UnappliedVariable[]
  /** What `invoke` returned (the body's promise, say). */
  readonly returned: T
}

interface CallFrame {
  readonly callFrameId: string
  readonly functionLocation?: ScriptLocation
  readonly scopeChain: readonly { readonly type: string; readonly object: RemoteObject }[]
}

function sameLocation(a: ScriptLocation | undefined, b: ScriptLocation | undefined): boolean {
  return !!a && !!b && a.scriptId === b.scriptId && a.lineNumber === b.lineNumber && a.columnNumber === b.columnNumber
}

function outcome(v: CapturedVariable): CarryOutcome {
  return { name: v.name, scope: v.scope, depth: v.depth }
}

/**
 * Calls `invoke` (which must call `fn` synchronously) and, paused at `fn`'s first statement, sets each
 * variable to its value from `values`: a `let` is reassigned; a `const` (or import) holding an array,
 * plain object, Map or Set is refilled in place; anything else is reported, with the reason.
 */
export function applyCapturedVariables<T>(fn: AnyFunction, values: readonly CapturedVariable[], invoke: () => T, onOurPause?: (ms: number) => void): ApplyResult<T> {
  const carry = startCarry(fn, values, onOurPause)
  try {
    const returned = invoke()
    return { ...carry.finish(), returned }
  } finally {
    carry.cleanUp()
  }
}

/**
 * As `applyCapturedVariables`, for a body that a framework calls later, after awaiting its own setup
 * (Vitest resolves fixtures first): the breakpoint stays until the body starts or `invoke`'s promise
 * settles.
 */
export async function applyCapturedVariablesWhenCalled<T>(fn: AnyFunction, values: readonly CapturedVariable[], invoke: () => Promise<T>, onOurPause?: (ms: number) => void): Promise<ApplyResult<Promise<T>>> {
  const carry = startCarry(fn, values, onOurPause)
  let returned: Promise<T>
  try {
    returned = invoke()
  } catch (error) {
    carry.cleanUp()
    throw error
  }
  if (!carry.done()) await Promise.race([carry.reached, returned.then(noop, noop)])
  const result = carry.finish()
  carry.cleanUp()
  return { ...result, returned }
}

function noop(): void {}

interface Carry {
  readonly reached: Promise<void>
  done(): boolean
  finish(): Pick<ApplyResult<unknown>, 'applied' | 'notApplied'>
  cleanUp(): void
}

function startCarry(fn: AnyFunction, values: readonly CapturedVariable[], onOurPause?: (ms: number) => void): Carry {
  const applied: AppliedVariable[] = []
  const notApplied: UnappliedVariable[] = []
  const pending: CapturedVariable[] = []
  const innermost = new Map<string, number>()
  for (const v of values) innermost.set(v.name, Math.min(innermost.get(v.name) ?? Infinity, v.depth))
  for (const v of values) {
    if (v.value.kind === 'uncopyable') notApplied.push({ ...outcome(v), reason: `${v.value.reason} cannot be copied` })
    else if (!isIdentifier(v.name)) notApplied.push({ ...outcome(v), reason: 'not a name an expression can assign' })
    else if (innermost.get(v.name)! < v.depth) notApplied.push({ ...outcome(v), reason: 'hidden by an inner variable of the same name' })
    else pending.push(v)
  }
  let signal: () => void = noop
  const reached = new Promise<void>((resolve) => (signal = resolve))
  if (pending.length === 0) {
    signal()
    return { reached, done: () => true, finish: () => ({ applied, notApplied }), cleanUp: noop }
  }

  let breakpointId: string | undefined
  let start: ScriptLocation | undefined
  let hit = false
  const onPaused = (params: unknown): void => {
    const { hitBreakpoints = [], callFrames } = params as { hitBreakpoints?: string[]; callFrames: CallFrame[] }
    const pausedAt = performance.now()
    let ours = false
    try {
      if (hit || breakpointId === undefined || !hitBreakpoints.includes(breakpointId)) return
      ours = true
      hit = true
      post('Debugger.removeBreakpoint', { breakpointId })
      breakpointId = undefined
      const frame = callFrames[0]!
      if (sameLocation(frame.functionLocation, start)) carryInto(frame, pending, applied, notApplied)
      else for (const v of pending) notApplied.push({ ...outcome(v), reason: 'the pause was not in the function' })
      signal()
    } finally {
      // A same-thread pause ends only when someone resumes it; nobody else will (see README).
      post('Debugger.resume')
      // The body was stopped at its first statement while we set its variables: our time, not its.
      if (ours) onOurPause?.(performance.now() - pausedAt)
    }
  }
  let off: (() => void) | undefined
  let held = false
  let missed = 'the function was not called while invoke() ran'
  try {
    holdDebugger()
    held = true
    off = onNotification('Debugger.paused', onPaused)
    const { id: fnId, internal } = unboundFunction(handlesOf([fn])[0]!)
    start = locationIn(internal)
    // V8 would stop a native function's caller instead, whose scope may see the same names.
    if (!start) throw new Error('a native function has none')
    breakpointId = post<{ breakpointId: string }>('Debugger.setBreakpointOnFunctionCall', { objectId: fnId }).breakpointId
  } catch (error) {
    // No inspector, or nowhere to stop: the body still runs, without the carry.
    missed = `cannot stop at the function's first statement: ${error instanceof Error ? error.message : String(error)}`
  }
  let finished = false
  let cleaned = false
  return {
    reached,
    done: () => hit,
    finish() {
      if (!hit && !finished) for (const v of pending) notApplied.push({ ...outcome(v), reason: missed })
      finished = true
      return { applied, notApplied }
    },
    cleanUp() {
      if (cleaned || !held) return
      cleaned = true
      cleanUp(breakpointId, off)
    },
  }
}

function cleanUp(breakpointId: string | undefined, off: (() => void) | undefined): void {
  try {
    if (breakpointId !== undefined) post('Debugger.removeBreakpoint', { breakpointId })
  } finally {
    off?.()
    releaseHandles()
    releaseDebugger()
  }
}

/** Names declared in each scope of the paused frame: its own locals, and the scopes it can see. */
function frameNames(frame: CallFrame): { locals: Set<string>; outer: Set<string> } {
  const locals = new Set<string>()
  const outer = new Set<string>()
  for (const scope of frame.scopeChain) {
    if (scope.type === 'global' || !scope.object.objectId) continue
    const into = scope.type === 'local' ? locals : outer
    for (const p of propertiesOf(scope.object.objectId)) into.add(p.name)
  }
  return { locals, outer }
}

function carryInto(frame: CallFrame, pending: readonly CapturedVariable[], applied: AppliedVariable[], notApplied: UnappliedVariable[]): void {
  const { locals, outer } = frameNames(frame)
  for (const v of pending) {
    if (locals.has(v.name)) {
      notApplied.push({ ...outcome(v), reason: 'hidden from the function by its own parameter or local of the same name' })
      continue
    }
    if (!outer.has(v.name)) {
      // Assigning an undeclared name would create a global instead.
      notApplied.push({ ...outcome(v), reason: 'not in the scope of the function here' })
      continue
    }
    try {
      const expression = carryExpression(v.name, encodeValue(v.value.kind === 'copy' ? v.value.value : undefined))
      const answer = post<{ result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text: string } }>('Debugger.evaluateOnCallFrame', {
        callFrameId: frame.callFrameId,
        expression,
        returnByValue: true,
        silent: true,
      })
      const said = answer.result.value
      if (answer.exceptionDetails) notApplied.push({ ...outcome(v), reason: answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text })
      else if (said === 'assigned' || said === 'refilled' || said === 'unchanged') applied.push({ ...outcome(v), how: said })
      else notApplied.push({ ...outcome(v), reason: String(said) })
    } catch (error) {
      notApplied.push({ ...outcome(v), reason: error instanceof Error ? error.message : String(error) })
    }
  }
}

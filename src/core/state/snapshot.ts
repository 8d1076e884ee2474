// A plain, structured-clone-able description of a process's state at one moment: what a test can
// observe that another process does not share. Taken in the parent at call time, and in the child
// after import and after the body; `diffSnapshots` compares two of them.
import { readCapturedVariables, type AnyFunction, type CapturedVariables } from './closure.js'
import { holdValue, unreadValue, type HeldValue } from './held.js'
import { compileIgnoreLeaks, isIgnored } from './ignored.js'
import { fileOfScript, handlesOf, locationOf, releaseHandles } from './inspector.js'

/** Where a test's globals and env live: under Jest, its sandbox global and that global's process.env. */
export interface StateScope {
  readonly global?: object
  readonly env?: Readonly<Record<string, string | undefined>>
}

export interface ListenerInfo {
  /** The function's name, or `(anonymous)`. */
  readonly name: string
  /** Where it was defined (generated code, 1-based), when `locateListeners` is on. */
  readonly file?: string
  readonly line?: number
}

export interface StateSnapshot {
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  /** Own properties of the global object by name (`Symbol(desc)` for symbols). */
  readonly globals: Readonly<Record<string, HeldValue>>
  /** `process` listeners by event name. */
  readonly listeners: Readonly<Record<string, readonly ListenerInfo[]>>
  /** `process.getActiveResourcesInfo()` counted by type (`Timeout`, `TCPSocketWrap`…). */
  readonly resources: Readonly<Record<string, number>>
  /** The variables of the given function's scopes, when one was given. */
  readonly captured?: CapturedVariables
  /** Why they could not be read (no inspector in this Node build, say): the rest of the snapshot stands. */
  readonly captureError?: string
}

export interface SnapshotOptions {
  /** The environment to describe. Default `process.env`; under Jest, the sandbox's copy. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Default `process.cwd()`. */
  readonly cwd?: string
  /** The global object whose own properties are described. Default `globalThis`; under Jest, the sandbox global. */
  readonly global?: object
  /** Whose listeners and resources. Default `process`. */
  readonly process?: Pick<NodeJS.Process, 'eventNames' | 'rawListeners' | 'getActiveResourcesInfo'>
  /** Read the variables this function closes over (the test body). */
  readonly capture?: AnyFunction
  /** The file `capture` is defined in, when known: saves a `Debugger.enable` (see `ReadOptions.file`). */
  readonly captureFile?: string
  /** Find where each listener was defined (through the inspector). @default true */
  readonly locateListeners?: boolean
  /** Names or globs left out, optionally `env:`, `global:`, `module:`, `closure:`, `listener:` or `resource:` prefixed. */
  readonly ignoreLeaks?: readonly string[]
}

function keyName(key: string | symbol): string {
  return typeof key === 'symbol' ? key.toString() : key
}

function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

function describeGlobals(target: object, ignored: (name: string) => boolean): Record<string, HeldValue> {
  const out = record<HeldValue>()
  for (const key of Reflect.ownKeys(target)) {
    const name = keyName(key)
    if (ignored(name)) continue
    const d = Reflect.getOwnPropertyDescriptor(target, key)
    if (!d) continue
    // Reading an accessor runs code (Node's lazy globals load modules and print warnings): describe it unread.
    out[name] = 'value' in d ? holdValue(d.value, name) : unreadValue('an accessor property (not read)', d.get ? (d.set ? '[Getter/Setter]' : '[Getter]') : '[Setter]')
  }
  return out
}

type Listener = (...args: unknown[]) => unknown

function describeListeners(proc: NonNullable<SnapshotOptions['process']>, locate: boolean, ignored: (name: string) => boolean): Record<string, ListenerInfo[]> {
  const byEvent: [string, Listener[]][] = []
  for (const event of proc.eventNames()) {
    const name = keyName(event)
    // `once` listeners are wrapped; the user's function is on `.listener`.
    const fns = (proc.rawListeners(event as string) as Listener[]).map((f) => ((f as { listener?: unknown }).listener as Listener | undefined) ?? f)
    if (!ignored(name) && fns.length > 0) byEvent.push([name, fns])
  }
  const all = byEvent.flatMap(([, fns]) => fns)
  const where = locate && all.length > 0 ? locateFunctions(all) : []
  const out = record<ListenerInfo[]>()
  let i = 0
  for (const [event, fns] of byEvent) {
    out[event] = fns.map((fn) => ({ name: fn.name || '(anonymous)', ...where[i++] }))
  }
  return out
}

function locateFunctions(fns: readonly Listener[]): { file?: string; line?: number }[] {
  try {
    return locate(fns)
  } catch {
    // Locations are a convenience; without an inspector the names still say enough.
    return []
  }
}

function locate(fns: readonly Listener[]): { file?: string; line?: number }[] {
  try {
    return handlesOf(fns).map((id) => {
      const at = id ? locationOf(id) : undefined
      const file = at ? fileOfScript(at.scriptId) : undefined
      return at && file ? { file, line: at.lineNumber + 1 } : {}
    })
  } finally {
    releaseHandles()
  }
}

function countResources(proc: NonNullable<SnapshotOptions['process']>, ignored: (name: string) => boolean): Record<string, number> {
  const out = record<number>()
  for (const type of proc.getActiveResourcesInfo()) if (!ignored(type)) out[type] = (out[type] ?? 0) + 1
  return out
}

/** Describes the state a test can observe, minus what Node, the frameworks, we and `ignoreLeaks` own. */
export function takeSnapshot(options: SnapshotOptions = {}): StateSnapshot {
  const user = compileIgnoreLeaks(options.ignoreLeaks)
  const proc = options.process ?? process
  const env = record<string>()
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined && !isIgnored('env', k, user)) env[k] = v
  const snapshot: StateSnapshot = {
    env,
    cwd: options.cwd ?? process.cwd(),
    globals: describeGlobals(options.global ?? globalThis, (name) => isIgnored('global', name, user)),
    listeners: describeListeners(proc, options.locateListeners ?? true, (name) => isIgnored('listener', name, user)),
    resources: countResources(proc, (name) => isIgnored('resource', name, user)),
  }
  if (!options.capture) return snapshot
  const read = { ignoreLeaks: options.ignoreLeaks ?? [], ...(options.captureFile !== undefined && { file: options.captureFile }) }
  try {
    return { ...snapshot, captured: readCapturedVariables(options.capture, read) }
  } catch (error) {
    return { ...snapshot, captureError: error instanceof Error ? error.message : String(error) }
  }
}

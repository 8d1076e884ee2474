// A same-thread inspector session, used synchronously: on its own thread `Session.post` runs the
// command and calls back before it returns (inspector.md §2, §3). One per thread, connected on first use.
import { perProcess } from './per-process.js'
import { Session } from 'node:inspector'
import { fileURLToPath } from 'node:url'

/** The subset of CDP's Runtime.RemoteObject we read. */
export interface RemoteObject {
  readonly type: string
  readonly subtype?: string
  readonly className?: string
  readonly value?: unknown
  readonly unserializableValue?: string
  readonly description?: string
  readonly objectId?: string
}

export interface PropertyDescriptor {
  readonly name: string
  readonly value?: RemoteObject
}

export interface ScriptLocation {
  readonly scriptId: string
  readonly lineNumber: number
  readonly columnNumber: number
}

/** Every object handle we take belongs to this group, released after each operation. */
export const OBJECT_GROUP = 'isolated-test-state'
const STASH = Symbol.for('isolated-test.inspector-stash')
/**
 * Values cross to the inspector through a stash that `Runtime.evaluate` (run in the main context) can
 * reach. Not `globalThis`: under a plain Jest setup this module runs in Jest's vm context, whose global
 * the main context does not see. The `node:inspector` module object is one object in every realm.
 */
const STASH_EXPRESSION = `process.getBuiltinModule('node:inspector').Session[Symbol.for(${JSON.stringify(STASH.description)})]`

function stashHolder(): Record<symbol, unknown> {
  return Session as unknown as Record<symbol, unknown>
}

/**
 * One session per process: a zygote connects it and learns the script URLs once for all its forks
 * (each new session's Debugger.enable replays every parsed script).
 */
interface Shared {
  session?: Session
  debuggerUsers: number
  readonly scriptUrls: Map<string, string>
}
const shared = perProcess<Shared>('inspector-session', () => ({ debuggerUsers: 0, scriptUrls: new Map() }))
const scriptUrls = shared.scriptUrls

function getSession(): Session {
  if (shared.session) return shared.session
  const s = new Session()
  s.connect()
  // Debugger.enable replays every parsed script; script ids are never reused, so the map stays valid.
  s.on('Debugger.scriptParsed', (message) => {
    const { scriptId, url } = message.params as { scriptId: string; url: string }
    scriptUrls.set(scriptId, url)
  })
  shared.session = s
  return s
}

type Post = (method: string, params: object | undefined, callback: (error: Error | null, result?: unknown) => void) => void

/** Runs one CDP command and returns its result; throws the protocol error. */
export function post<T = unknown>(method: string, params?: object): T {
  const s = getSession()
  let done = false
  let failure: Error | null = null
  let result: unknown
  ;(s.post as Post).call(s, method, params, (error, value) => {
    done = true
    failure = error
    result = value
  })
  if (!done) throw new Error(`inspector: ${method} did not answer synchronously`)
  if (failure) throw failure
  return result as T
}

/** Same session's notifications, for the Debugger.paused listener of a carry. */
export function onNotification(event: string, listener: (params: unknown) => void): () => void {
  const s = getSession()
  const handler = (message: { params: unknown }): void => listener(message.params)
  s.on(event, handler)
  return () => void s.off(event, handler)
}

/** Enables the Debugger domain until the matching `releaseDebugger`; nested users share one enable. */
export function holdDebugger(): void {
  if (shared.debuggerUsers === 0) post('Debugger.enable')
  shared.debuggerUsers++
}

export function releaseDebugger(): void {
  // A same-thread session must not stay enabled: a `debugger` statement would then pause with nobody to resume.
  if (--shared.debuggerUsers === 0) post('Debugger.disable')
}

/** Enables the Debugger domain for the time of `use`. */
export function withDebugger<T>(use: () => T): T {
  holdDebugger()
  try {
    return use()
  } finally {
    releaseDebugger()
  }
}

/** The file (or `node:` URL) a script came from, or undefined for scripts without a URL (eval, vm). */
export function fileOfScript(scriptId: string): string | undefined {
  if (!scriptUrls.has(scriptId)) {
    withDebugger(() => undefined)
    if (!scriptUrls.has(scriptId)) scriptUrls.set(scriptId, '')
  }
  const url = scriptUrls.get(scriptId)
  if (!url) return undefined
  let file = url
  if (url.startsWith('file:')) {
    try {
      file = fileURLToPath(url)
    } catch {
      return url
    }
  }
  // Loaders add queries to module ids (Vite's `?v=…`; Vitest even encodes the `?` into the URL).
  return file.startsWith('/') || /^[A-Za-z]:\\/.test(file) ? file.replace(/\?.*$/s, '') : file
}

/** Object handles for `values` (objects and functions only; primitives get undefined). */
export function handlesOf(values: readonly unknown[]): (string | undefined)[] {
  const stash = stashHolder()
  stash[STASH] = values
  try {
    // One value (a test body, each snapshot) is one command: the handle of the stash's first element.
    if (values.length === 1) return [post<{ result: RemoteObject }>('Runtime.evaluate', { expression: `${STASH_EXPRESSION}[0]`, objectGroup: OBJECT_GROUP, silent: true }).result.objectId]
    const { result } = post<{ result: RemoteObject }>('Runtime.evaluate', { expression: STASH_EXPRESSION, objectGroup: OBJECT_GROUP, silent: true })
    const props = propertiesOf(result.objectId!)
    return values.map((_, i) => props.find((p) => p.name === String(i))?.value?.objectId)
  } finally {
    delete stash[STASH]
  }
}

/** The real values behind remote objects: primitives are decoded, objects fetched through a stash. */
export function valuesOf(remotes: readonly RemoteObject[]): unknown[] {
  const withHandle = remotes.filter((r) => r.objectId !== undefined)
  const fetched: unknown[] = []
  if (withHandle.length > 0) {
    const stash = stashHolder()
    stash[STASH] = fetched
    try {
      // Handles taken through this realm's stash all belong to this realm's context, so they may be passed
      // together even when the objects themselves were made in a vm context; the function runs in that
      // context too (on the first of them), where the stash is reachable.
      post('Runtime.callFunctionOn', {
        objectId: withHandle[0]!.objectId,
        functionDeclaration: `function (...values) { ${STASH_EXPRESSION}.push(...values) }`,
        arguments: withHandle.map((r) => ({ objectId: r.objectId })),
        silent: true,
      })
    } finally {
      delete stash[STASH]
    }
  }
  let next = 0
  return remotes.map((r) => (r.objectId !== undefined ? fetched[next++] : decodePrimitive(r)))
}

function decodePrimitive(r: RemoteObject): unknown {
  if (r.type === 'undefined') return undefined
  if (r.subtype === 'null') return null
  if (r.type === 'bigint') return BigInt((r.unserializableValue ?? String(r.value)).replace(/n$/, ''))
  if (r.unserializableValue !== undefined) return Number(r.unserializableValue)
  return r.value
}

/** Own properties and internal properties (`[[Scopes]]`, `[[FunctionLocation]]`) of a remote object. */
export function propertiesOf(objectId: string): PropertyDescriptor[] {
  return post<{ result: PropertyDescriptor[] }>('Runtime.getProperties', { objectId, ownProperties: true }).result
}

export function internalPropertiesOf(objectId: string): PropertyDescriptor[] {
  return post<{ internalProperties?: PropertyDescriptor[] }>('Runtime.getProperties', { objectId, ownProperties: true }).internalProperties ?? []
}

/** The function itself (a bound function's target, bound again and again if need be) and its internal properties. */
export function unboundFunction(functionId: string): { readonly id: string; readonly internal: PropertyDescriptor[] } {
  let id = functionId
  let internal = internalPropertiesOf(id)
  for (let i = 0; i < 100; i++) {
    const target = internal.find((p) => p.name === '[[TargetFunction]]')?.value?.objectId
    if (!target) break
    id = target
    internal = internalPropertiesOf(id)
  }
  return { id, internal }
}

/** Where a function's code starts, as V8 reports it (`[[FunctionLocation]]`, 0-based). */
export function locationOf(functionId: string): ScriptLocation | undefined {
  return locationIn(internalPropertiesOf(functionId))
}

/** The same, from internal properties already read. */
export function locationIn(internal: readonly PropertyDescriptor[]): ScriptLocation | undefined {
  return internal.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as ScriptLocation | undefined
}

export function releaseHandles(): void {
  post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP })
}

// Vitest keeps only its wrapper of a test body (`withTimeout(withCancel(…(withFixtures(handler))))`);
// each layer closes over the next as `fn` (or `handler`). The state report needs the user's own
// function, so we follow those closures through the inspector until the function lives outside the
// framework.
import { fileOfScript, handlesOf, internalPropertiesOf, locationOf, propertiesOf, releaseHandles, valuesOf, type RemoteObject } from '../../core/state/inspector.js'
import type { AnyFunction } from '../../core/state/closure.js'

/** Vitest's own files (its runner included), installed or in its repository. */
export const FRAMEWORK = /\/node_modules\/(?:vitest|@vitest)\/|\/packages\/(?:vitest|runner)\/dist\//
const INNER_NAMES = new Set(['fn', 'handler', 'func', 'implementation'])

function isFramework(fn: AnyFunction, id: string): boolean {
  const location = locationOf(id)
  const file = location ? fileOfScript(location.scriptId) : undefined
  // A native or bound function has no location: it is not the user's body either.
  return file === undefined ? fn.name === '' || /^bound /.test(fn.name) : FRAMEWORK.test(file)
}

/** The innermost function behind a framework's wrappers, or `fn` itself when it is not wrapped. */
export function unwrapHandler(fn: AnyFunction, maxDepth = 8): AnyFunction {
  let current = fn
  try {
    for (let depth = 0; depth < maxDepth; depth++) {
      const id = handlesOf([current])[0]
      if (!id || !isFramework(current, id)) return current
      const scopesId = internalPropertiesOf(id).find((p) => p.name === '[[Scopes]]')?.value?.objectId
      let next: RemoteObject | undefined
      for (const scope of scopesId ? propertiesOf(scopesId) : []) {
        if (!/^\d+$/.test(scope.name) || !scope.value?.objectId || scope.value.description === 'Global') continue
        next = propertiesOf(scope.value.objectId).find((p) => INNER_NAMES.has(p.name) && p.value?.type === 'function')?.value
        if (next) break
      }
      if (!next) return current
      current = valuesOf([next])[0] as AnyFunction
    }
    return current
  } catch {
    return fn
  } finally {
    releaseHandles()
  }
}

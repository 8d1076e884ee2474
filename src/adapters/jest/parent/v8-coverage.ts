// A child's V8 coverage under Jest's `coverageProvider: 'v8'`. jest-runner asks the file's Runtime for
// `getAllV8CoverageInfoCopy()` when the file ends and puts the answer in the result's `v8Coverage`,
// which the coverage reporter merges and converts with each entry's transformed code. The environment
// has no hook there, so the method is wrapped (once per process, on the jest-runtime that jest-runner
// loads): a Runtime whose environment's sandbox holds children's entries returns them too. Version
// guard: the method must exist as jest-runner calls it (Jest 29 and 30); otherwise one notice says the
// children's V8 coverage is not counted.
import { createRequire as sandboxedCreateRequire } from 'node:module'
import { join } from 'node:path'
import { realProcess } from '../../../core/real-process.js'

const ENTRIES = Symbol.for('isolated-test.jest-v8-entries')
const WRAPPED = Symbol.for('isolated-test.jest-v8-wrapped')

interface RuntimeClass {
  prototype: { getAllV8CoverageInfoCopy?: (this: { _environment?: { global?: Record<symbol, unknown> } }) => unknown }
}

/**
 * Node's own createRequire: under a plain setup this module runs in Jest's sandbox, whose `node:module`
 * is Jest's (its requires load fresh copies through the sandbox's registry, not the jest-runtime that
 * jest-runner runs).
 */
function createRequire(path: string): NodeJS.Require {
  const real = (realProcess as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.('node:module') as { createRequire?: typeof sandboxedCreateRequire } | undefined
  return (real?.createRequire ?? sandboxedCreateRequire)(path)
}

/**
 * Whether this Jest process collects V8 coverage: jest-runtime loads collect-v8-coverage only to start
 * it, for `coverageProvider: 'v8'` with coverage on (one setting for the whole run). What a plain setup
 * has to go by: no Jest config reaches a test's sandbox.
 */
export function jestCollectsV8(jestDirs: readonly string[]): boolean {
  for (const dir of jestDirs) {
    try {
      const require = createRequire(join(dir, 'noop.js'))
      const collector = createRequire(require.resolve('jest-runtime')).resolve('collect-v8-coverage')
      return require.cache[collector] !== undefined
    } catch {
      // not from here
    }
  }
  return false
}

function runtimeClass(jestDirs: readonly string[]): RuntimeClass | undefined {
  for (const dir of jestDirs) {
    try {
      const mod = createRequire(join(dir, 'noop.js'))('jest-runtime') as RuntimeClass & { default?: RuntimeClass }
      return typeof mod.prototype?.getAllV8CoverageInfoCopy === 'function' ? mod : mod.default
    } catch {
      // not from here
    }
  }
  return undefined
}

/** Wraps the Runtime once; false when this Jest's Runtime does not look as expected (nothing is changed). */
function wrapRuntime(jestDirs: readonly string[]): boolean {
  const g = globalThis as Record<symbol, boolean | undefined>
  if (g[WRAPPED] !== undefined) return g[WRAPPED]
  const Runtime = runtimeClass(jestDirs)
  const original = Runtime?.prototype.getAllV8CoverageInfoCopy
  if (!Runtime || typeof original !== 'function') {
    process.stderr.write("isolated-test: this Jest's runtime has no getAllV8CoverageInfoCopy(): with coverageProvider 'v8', code run in isolated children is not counted.\n")
    return (g[WRAPPED] = false)
  }
  Runtime.prototype.getAllV8CoverageInfoCopy = function (this: { _environment?: { global?: Record<symbol, unknown> } }) {
    const own = original.call(this)
    const sandbox = this._environment?.global
    const children = sandbox?.[ENTRIES] as object[] | undefined
    if (!children || children.length === 0) return own
    sandbox![ENTRIES] = []
    return [...(Array.isArray(own) ? own : []), ...children]
  }
  return (g[WRAPPED] = true)
}

/** Keeps a child's entries for the file's Runtime; false when they cannot be counted (see above). */
export function receiveV8Coverage(sandbox: object, jestDirs: readonly string[], entries: readonly object[]): boolean {
  if (!wrapRuntime(jestDirs)) return false
  const s = sandbox as Record<symbol, object[] | undefined>
  ;(s[ENTRIES] ??= []).push(...entries)
  return true
}

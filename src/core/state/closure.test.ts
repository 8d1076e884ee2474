import { describe, expect, test } from 'vitest'
import { fileURLToPath } from 'node:url'
import { Script, createContext } from 'node:vm'
import { Socket } from 'node:net'
import { applyCapturedVariables, readCapturedVariables, type CapturedVariable } from './closure.js'

// Module scope of this test file: what a test body closes over.
const MODULE_SCOPE_LIST = ['Initial value']
let db: { users: string[] } | undefined
const cache = new Map<string, number>([['a', 1]])
const seen = new Set<string>()
const LIMIT = 3
const socket = new Socket()
function format(s: string): string {
  return `[${s}]`
}

function body(): unknown[] {
  return [MODULE_SCOPE_LIST, db, cache, seen, LIMIT, socket, format('x')]
}

const THIS_FILE = fileURLToPath(import.meta.url)
const byName = (vs: readonly CapturedVariable[]) => Object.fromEntries(vs.map((v) => [v.name, v]))

async function seedModule(instance: string): Promise<{ MODULE_SCOPE_LIST: string[]; appendToSharedList: (n: number) => string[]; parentUpdate: () => void }> {
  return import(/* @vite-ignore */ new URL(`./fixtures/seed-module.mjs?instance=${instance}`, import.meta.url).href)
}

describe('readCapturedVariables', () => {
  test("names the body's module variables, with the file, copies of what can cross and reasons for what cannot", () => {
    const read = readCapturedVariables(body)
    expect(read.functionName).toBe('body')
    expect(read.file).toBe(THIS_FILE)
    const vars = byName(read.variables)
    expect(vars.MODULE_SCOPE_LIST).toMatchObject({ scope: 'module', value: { kind: 'copy', value: ['Initial value'], preview: "['Initial value']" } })
    expect(vars.db).toMatchObject({ scope: 'module', value: { kind: 'copy', value: undefined } })
    expect(vars.cache?.value).toMatchObject({ kind: 'copy', value: new Map([['a', 1]]) })
    expect(vars.LIMIT?.value).toMatchObject({ kind: 'copy', value: 3 })
    expect(vars.socket?.value).toMatchObject({ kind: 'uncopyable', reason: 'a Socket' })
    expect(vars.format?.value).toMatchObject({ kind: 'uncopyable', reason: 'a function (format)', preview: '[Function: format]' })
    // Vite's import bindings are the loader's, not the user's.
    expect(read.variables.some((v) => v.name.startsWith('__vite_ssr_'))).toBe(false)
  })

  test('closure scopes come first and are named after their function', () => {
    function outer() {
      let inner = 5
      return () => ((inner += 1), MODULE_SCOPE_LIST)
    }
    const vars = readCapturedVariables(outer()).variables
    expect(vars[0]).toMatchObject({ name: 'inner', scope: 'closure', scopeLabel: 'Closure (outer)', depth: 0, value: { value: 5 } })
    expect(vars.find((v) => v.name === 'MODULE_SCOPE_LIST')?.scope).toBe('module')
  })

  test('a copy is taken at read time', () => {
    const read = readCapturedVariables(body)
    MODULE_SCOPE_LIST.push('later')
    try {
      expect(byName(read.variables).MODULE_SCOPE_LIST?.value).toMatchObject({ value: ['Initial value'] })
    } finally {
      MODULE_SCOPE_LIST.pop()
    }
  })

  test('ignoreLeaks leaves names out', () => {
    const names = readCapturedVariables(body, { ignoreLeaks: ['module:cache', 'LIM*'] }).variables.map((v) => v.name)
    expect(names).toContain('db')
    expect(names).not.toContain('cache')
    expect(names).not.toContain('LIMIT')
  })

  test('a file the caller already knows is taken as given (no Debugger.enable)', () => {
    expect(readCapturedVariables(body, { file: '/given/a.test.ts' }).file).toBe('/given/a.test.ts')
  })

  test('the result crosses structured clone', () => {
    const read = readCapturedVariables(body)
    expect(structuredClone(read)).toEqual(read)
  })
})

describe('applyCapturedVariables', () => {
  test('seed example 1 under fork: a fresh instance of the module gets the parent update, the parent keeps its list', async () => {
    const parent = await seedModule('parent-fork')
    parent.parentUpdate()
    const carried = structuredClone(readCapturedVariables(parent.appendToSharedList).variables)

    const child = await seedModule('child-fork')
    expect(child.MODULE_SCOPE_LIST).toEqual(['Initial value'])
    const result = applyCapturedVariables(child.appendToSharedList, carried, () => child.appendToSharedList(1))
    expect(result.applied).toEqual([{ name: 'MODULE_SCOPE_LIST', scope: 'module', depth: 0, how: 'refilled' }])
    expect(result.returned).toEqual(['Initial value', 'Parent process update', 'Child process 1 update'])
    expect(parent.MODULE_SCOPE_LIST).toEqual(['Initial value', 'Parent process update'])
  })

  test('a let is reassigned, const containers are refilled in place, the rest is reported with the reason', () => {
    const saved = { list: [...MODULE_SCOPE_LIST], db, cache: new Map(cache), seen: new Set(seen) }
    MODULE_SCOPE_LIST.push('Parent process update')
    db = { users: ['ann'] }
    cache.set('b', 2)
    seen.add('x')
    const parentValues = readCapturedVariables(body).variables
    // Back to what a fresh child has after import.
    MODULE_SCOPE_LIST.splice(0, Infinity, ...saved.list)
    db = undefined
    cache.delete('b')
    seen.clear()
    const listIdentity = MODULE_SCOPE_LIST
    try {
      const result = applyCapturedVariables(body, parentValues, () => body())
      const applied = Object.fromEntries(result.applied.map((a) => [a.name, a.how]))
      expect(applied).toMatchObject({ MODULE_SCOPE_LIST: 'refilled', db: 'assigned', cache: 'refilled', seen: 'refilled', LIMIT: 'unchanged' })
      const notApplied = Object.fromEntries(result.notApplied.map((n) => [n.name, n.reason]))
      expect(notApplied).toMatchObject({ socket: 'a Socket cannot be copied', format: 'a function (format) cannot be copied' })
      expect(result.returned).toEqual([['Initial value', 'Parent process update'], { users: ['ann'] }, new Map([['a', 1], ['b', 2]]), new Set(['x']), 3, socket, '[x]'])
      expect(MODULE_SCOPE_LIST).toBe(listIdentity)
    } finally {
      MODULE_SCOPE_LIST.splice(0, Infinity, ...saved.list)
      db = saved.db
      cache.clear()
      for (const [k, v] of saved.cache) cache.set(k, v)
      seen.clear()
    }
  })

  test('a const primitive that differs is not applied, with the reason', () => {
    const values: CapturedVariable[] = [{ name: 'LIMIT', scope: 'module', scopeLabel: 'Block', depth: 0, value: { kind: 'copy', value: 10, preview: '10' } }]
    const result = applyCapturedVariables(body, values, () => body())
    expect(result.notApplied).toEqual([{ name: 'LIMIT', scope: 'module', depth: 0, reason: 'a const binding holding a number cannot be reassigned' }])
    expect(LIMIT).toBe(3)
  })

  test("closure variables, and a parameter that hides a module variable of the same name", () => {
    function make() {
      let count = 0
      return (MODULE_SCOPE_LIST: string[]) => ((count += 1), [count, MODULE_SCOPE_LIST, db])
    }
    const fn = make()
    const values: CapturedVariable[] = [
      { name: 'count', scope: 'closure', scopeLabel: 'Closure (make)', depth: 0, value: { kind: 'copy', value: 41, preview: '41' } },
      { name: 'MODULE_SCOPE_LIST', scope: 'module', scopeLabel: 'Block', depth: 1, value: { kind: 'copy', value: ['carried'], preview: "['carried']" } },
    ]
    const result = applyCapturedVariables(fn, values, () => fn(['argument']))
    expect(result.applied).toMatchObject([{ name: 'count', how: 'assigned' }])
    expect(result.notApplied).toMatchObject([{ name: 'MODULE_SCOPE_LIST', reason: 'hidden from the function by its own parameter or local of the same name' }])
    expect(result.returned).toEqual([42, ['argument'], undefined])
    expect(MODULE_SCOPE_LIST).toEqual(['Initial value'])
  })

  test('a name the function cannot see is not created as a global', () => {
    const values: CapturedVariable[] = [{ name: 'notHere', scope: 'module', scopeLabel: 'Block', depth: 0, value: { kind: 'copy', value: 1, preview: '1' } }]
    const result = applyCapturedVariables(body, values, () => body())
    expect(result.notApplied).toMatchObject([{ name: 'notHere', reason: 'not in the scope of the function here' }])
    expect('notHere' in globalThis).toBe(false)
  })

  test('an async body is paused at its first statement, before its first await', async () => {
    let state = 'initial'
    const fn = async () => {
      const at = state
      await Promise.resolve()
      return at
    }
    const values: CapturedVariable[] = [{ name: 'state', scope: 'closure', scopeLabel: 'Closure', depth: 0, value: { kind: 'copy', value: 'carried', preview: "'carried'" } }]
    const result = applyCapturedVariables(fn, values, () => fn())
    expect(await result.returned).toBe('carried')
    expect(state).toBe('carried')
  })

  test('when invoke does not call the function, nothing is applied and later calls are not paused', () => {
    let x = 1
    const fn = () => x
    const values: CapturedVariable[] = [{ name: 'x', scope: 'closure', scopeLabel: 'Closure', depth: 0, value: { kind: 'copy', value: 2, preview: '2' } }]
    const result = applyCapturedVariables(fn, values, () => 'not called')
    expect(result).toMatchObject({ applied: [], notApplied: [{ name: 'x', reason: 'the function was not called while invoke() ran' }], returned: 'not called' })
    expect(fn()).toBe(1)
  })

  test('a bound function is read and stopped at through its target; a native one still runs, without the carry', () => {
    let x = 1
    const fn = function (this: { k: number }) {
      return [x, this.k]
    }.bind({ k: 7 })
    expect(readCapturedVariables(fn).variables.find((v) => v.name === 'x')?.value).toMatchObject({ value: 1 })
    const values: CapturedVariable[] = [{ name: 'x', scope: 'closure', scopeLabel: 'Closure', depth: 0, value: { kind: 'copy', value: 2, preview: '2' } }]
    expect(applyCapturedVariables(fn, values, () => fn()).returned).toEqual([2, 7])
    const native = applyCapturedVariables(Math.max, values, () => Math.max(1, 2))
    expect(native.returned).toBe(2)
    expect(native.applied).toEqual([])
    expect(native.notApplied[0]?.reason).toBe("cannot stop at the function's first statement: a native function has none")
  })

  test('when invoke throws, the breakpoint is removed and the error passes through', () => {
    let x = 1
    const fn = () => x
    const values: CapturedVariable[] = [{ name: 'x', scope: 'closure', scopeLabel: 'Closure', depth: 0, value: { kind: 'copy', value: 2, preview: '2' } }]
    expect(() => applyCapturedVariables(fn, values, () => { throw new Error('boom') })).toThrow('boom')
    expect(fn()).toBe(1)
    // The Debugger domain is off again: were it on, this would pause the thread with nobody to resume it.
    // eslint-disable-next-line no-debugger
    debugger
  })

  test('a debugger statement in the body does not hang the thread (our session resumes every pause it sees)', () => {
    let x = 1
    const fn = () => {
      // eslint-disable-next-line no-debugger
      debugger
      return x
    }
    const values: CapturedVariable[] = [{ name: 'x', scope: 'closure', scopeLabel: 'Closure', depth: 0, value: { kind: 'copy', value: 2, preview: '2' } }]
    expect(applyCapturedVariables(fn, values, () => fn()).returned).toBe(2)
  })

  test("in a vm context, like Jest's sandbox: a CommonJS module's top level, values made by the sandbox's realm", () => {
    const sandbox = createContext({})
    // Jest wraps each module like this (jest-runtime), and runs it in the test's context.
    const source = `({"Object.<anonymous>": function (module, exports, require) {
      const MODULE_SCOPE_LIST = ['Initial value'];
      let db;
      module.exports = { MODULE_SCOPE_LIST, body: () => [MODULE_SCOPE_LIST, db, MODULE_SCOPE_LIST instanceof Array, db instanceof Map] };
    }})`
    const load = () => {
      const module = { exports: {} as { MODULE_SCOPE_LIST: string[]; body: () => unknown[] } }
      ;(new Script(source, { filename: '/project/logger.test.js' }).runInContext(sandbox) as Record<string, (...a: unknown[]) => void>)['Object.<anonymous>']!(module, module.exports, () => undefined)
      return module.exports
    }
    const parent = load()
    parent.MODULE_SCOPE_LIST.push('Parent process update')
    const read = readCapturedVariables(parent.body)
    expect(read.file).toBe('/project/logger.test.js')
    expect(read.variables.map((v) => [v.name, v.scope, v.scopeLabel])).toEqual([
      ['MODULE_SCOPE_LIST', 'module', 'Closure (Object.<anonymous>)'],
      ['db', 'module', 'Closure (Object.<anonymous>)'],
    ])
    const carried = structuredClone(read.variables).map((v) => (v.name === 'db' ? { ...v, value: { kind: 'copy' as const, value: new Map([['k', 1]]), preview: '' } } : v))
    const child = load()
    const result = applyCapturedVariables(child.body, carried, () => child.body())
    const [list, map, listIsSandboxArray, mapIsSandboxMap] = result.returned
    // Made by the sandbox's realm: its own `instanceof` holds (and ours, deliberately, does not).
    expect([listIsSandboxArray, mapIsSandboxMap, list instanceof Array]).toEqual([true, true, false])
    expect([...(list as string[])]).toEqual(['Initial value', 'Parent process update'])
    expect([...(map as Map<string, number>)]).toEqual([['k', 1]])
    expect(parent.MODULE_SCOPE_LIST).toHaveLength(2)
  })
})

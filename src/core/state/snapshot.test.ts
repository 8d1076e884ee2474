import { afterEach, describe, expect, test } from 'vitest'
import { fileURLToPath } from 'node:url'
import { createContext, runInContext } from 'node:vm'
import { takeSnapshot } from './snapshot.js'

const THIS_FILE = fileURLToPath(import.meta.url)
const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})

let db: string | undefined = 'postgres://parent'
function body(): unknown {
  return db
}

describe('takeSnapshot', () => {
  test('env and cwd, leaving out what Vitest and we set', () => {
    const snap = takeSnapshot({ env: { DATABASE_URL: 'x', VITEST_WORKER_ID: '1', ISOLATED_TEST_CHILD: '1', UNSET: undefined }, cwd: '/project' })
    expect(snap.env).toEqual({ DATABASE_URL: 'x' })
    expect(snap.cwd).toBe('/project')
    expect(takeSnapshot().env.PATH).toBe(process.env.PATH)
  })

  test("globals: the user's, with copies or reasons; never Node's, Vitest's or an accessor's value", () => {
    const g = globalThis as Record<string, unknown>
    g.__APP_CONFIG__ = { level: 'debug' }
    g.__APP_CONNECT__ = function connect() {}
    let read = false
    Object.defineProperty(globalThis, '__APP_LAZY__', { configurable: true, get: () => ((read = true), 1) })
    cleanups.push(() => {
      delete g.__APP_CONFIG__
      delete g.__APP_CONNECT__
      delete g.__APP_LAZY__
    })
    const { globals } = takeSnapshot()
    expect(globals.__APP_CONFIG__).toEqual({ kind: 'copy', value: { level: 'debug' }, preview: "{ level: 'debug' }" })
    expect(globals.__APP_CONNECT__).toMatchObject({ kind: 'uncopyable', reason: 'a function (connect)' })
    expect(globals.__APP_LAZY__).toMatchObject({ kind: 'uncopyable', preview: '[Getter]' })
    expect(read).toBe(false)
    expect(Object.keys(globals).filter((k) => !k.startsWith('__APP_'))).toEqual([])
  })

  test("a given global object: a vm context's (Jest's sandbox), whose engine globals are left out too", () => {
    const sandbox = createContext({})
    runInContext('globalThis.leaked = [1]; var counter = 2', sandbox)
    expect(takeSnapshot({ global: sandbox }).globals).toEqual({
      leaked: { kind: 'copy', value: [1], preview: '[1]' },
      counter: { kind: 'copy', value: 2, preview: '2' },
    })
  })

  test('process listeners by event, with the function name and where it is defined', () => {
    function onTerm() {}
    process.on('SIGUSR2', onTerm)
    process.once('SIGUSR2', () => undefined)
    cleanups.push(() => void process.removeAllListeners('SIGUSR2'))
    const listeners = takeSnapshot().listeners.SIGUSR2
    expect(listeners).toEqual([
      { name: 'onTerm', file: THIS_FILE, line: expect.any(Number) },
      { name: '(anonymous)', file: THIS_FILE, line: expect.any(Number) },
    ])
    expect(takeSnapshot({ locateListeners: false }).listeners.SIGUSR2).toEqual([{ name: 'onTerm' }, { name: '(anonymous)' }])
  })

  test('active resources counted by type', () => {
    const before = takeSnapshot().resources.Timeout ?? 0
    const timers = [setTimeout(() => undefined, 60_000), setInterval(() => undefined, 60_000)]
    cleanups.push(() => timers.forEach(clearTimeout))
    expect(takeSnapshot().resources.Timeout).toBe(before + 2)
    expect(takeSnapshot({ ignoreLeaks: ['resource:Timeout'] }).resources.Timeout).toBeUndefined()
  })

  test("with capture: the body's variables; and the whole snapshot crosses structured clone", () => {
    const snap = takeSnapshot({ capture: body })
    expect(snap.captured?.variables.find((v) => v.name === 'db')).toMatchObject({ scope: 'module', value: { kind: 'copy', value: 'postgres://parent' } })
    expect(structuredClone(snap)).toEqual(snap)
    db = undefined
  })
})

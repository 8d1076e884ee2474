import { describe, expect, test, vi } from 'vitest'
import { fileURLToPath } from 'node:url'
import { runInNewContext } from 'node:vm'
import { Session } from 'node:inspector'
import { fileOfScript, handlesOf, locationOf, post, releaseHandles, valuesOf, withDebugger, type RemoteObject } from './inspector.js'

function here() {
  return 1
}

const origin = Session.prototype.post as unknown as (this: Session, ...args: unknown[]) => unknown

describe('the same-thread session', () => {
  test('answers synchronously', () => {
    expect(post<{ result: RemoteObject }>('Runtime.evaluate', { expression: '6 * 7' }).result.value).toBe(42)
  })

  test("finds where a function is defined: this file, V8's 0-based position", () => {
    const [id] = handlesOf([here])
    const at = locationOf(id!)
    releaseHandles()
    expect(at).toMatchObject({ lineNumber: expect.any(Number), columnNumber: expect.any(Number) })
    expect(fileOfScript(at!.scriptId)).toBe(fileURLToPath(import.meta.url))
  })

  test('gets the real values behind remote objects, from any realm', () => {
    const sandboxed = runInNewContext('({ list: ["a"], n: 1 })')
    const ids = handlesOf([sandboxed, here])
    const remotes: RemoteObject[] = [
      { type: 'object', objectId: ids[0]! },
      { type: 'function', objectId: ids[1]! },
      { type: 'number', unserializableValue: '-0' },
      { type: 'bigint', unserializableValue: '7n' },
      { type: 'undefined' },
      { type: 'object', subtype: 'null', value: null },
      { type: 'string', value: 's' },
    ]
    const values = valuesOf(remotes)
    releaseHandles()
    expect(values[0]).toBe(sandboxed)
    expect(values[1]).toBe(here)
    expect(Object.is(values[2], -0)).toBe(true)
    expect(values.slice(3)).toEqual([7n, undefined, null, 's'])
  })

  test('one value is one command, and fetching values one more', () => {
    const sandboxed = runInNewContext('({ n: 1 })')
    const sent: string[] = []
    const spy = vi.spyOn(Session.prototype, 'post').mockImplementation(function (this: Session, ...args: unknown[]) {
      sent.push(args[0] as string)
      return origin.apply(this, args)
    } as never)
    let values: unknown[]
    try {
      const [id] = handlesOf([sandboxed])
      values = valuesOf([{ type: 'object', objectId: id! }, { type: 'string', value: 's' }])
      releaseHandles()
    } finally {
      spy.mockRestore()
    }
    expect(sent).toEqual(['Runtime.evaluate', 'Runtime.callFunctionOn', 'Runtime.releaseObjectGroup'])
    expect(values).toEqual([sandboxed, 's'])
    expect(values[0]).toBe(sandboxed)
  })

  test('leaves no stash on globalThis and the debugger off', () => {
    handlesOf([here])
    releaseHandles()
    expect(Object.getOwnPropertySymbols(globalThis).map(String)).not.toContain('Symbol(isolated-test.inspector-stash)')
    expect(Object.getOwnPropertySymbols(Session).map(String)).not.toContain('Symbol(isolated-test.inspector-stash)')
    // Enabled only inside withDebugger: a `debugger` statement outside it must not pause this thread.
    withDebugger(() => undefined)
    // eslint-disable-next-line no-debugger
    debugger
  })
})

import { describe, expect, test } from 'vitest'
import { fileURLToPath } from 'node:url'
import { diffSnapshots, variablesToCarry } from './diff.js'
import { takeSnapshot, type StateSnapshot } from './snapshot.js'

const THIS_FILE = fileURLToPath(import.meta.url)
const MODULE_SCOPE_LIST = ['Initial value']
function appendToSharedList(count: number): string[] {
  MODULE_SCOPE_LIST.push(`Child process ${count} update`)
  return MODULE_SCOPE_LIST
}

const empty: StateSnapshot = { env: {}, cwd: '/p', globals: {}, listeners: {}, resources: {} }

describe('diffSnapshots', () => {
  test('no difference, no entries', () => {
    const snap = takeSnapshot({ capture: appendToSharedList })
    expect(diffSnapshots(snap, structuredClone(snap))).toEqual([])
  })

  test('a module variable the body changed, with the file and both previews', () => {
    const before = takeSnapshot({ capture: appendToSharedList })
    appendToSharedList(1)
    const after = takeSnapshot({ capture: appendToSharedList })
    MODULE_SCOPE_LIST.pop()
    expect(diffSnapshots(before, after)).toEqual([
      { where: 'module', name: 'MODULE_SCOPE_LIST', file: THIS_FILE, scope: 'Block', before: "['Initial value']", after: "['Initial value', 'Child process 1 update']", kind: 'changed' },
    ])
  })

  test('env, cwd and globals: added, removed, changed; a value that cannot cross carries its reason', () => {
    const before: StateSnapshot = { ...empty, env: { A: '1', GONE: 'x' }, globals: { conn: { kind: 'copy', value: null, preview: 'null' } } }
    const after: StateSnapshot = {
      ...empty, cwd: '/p/sub', env: { A: '2', NEW: 'y' },
      globals: { conn: { kind: 'uncopyable', reason: 'a Socket', preview: 'Socket {…}' } },
    }
    expect(diffSnapshots(before, after)).toEqual([
      { where: 'env', name: 'A', before: "'1'", after: "'2'", kind: 'changed' },
      { where: 'env', name: 'GONE', before: "'x'", kind: 'removed' },
      { where: 'env', name: 'NEW', after: "'y'", kind: 'added' },
      { where: 'cwd', name: 'cwd', before: "'/p'", after: "'/p/sub'", kind: 'changed' },
      { where: 'global', name: 'conn', before: 'null', after: 'Socket {…}', kind: 'changed', note: 'a Socket' },
    ])
  })

  test('listeners and resources', () => {
    const before: StateSnapshot = { ...empty, listeners: { exit: [{ name: 'flush' }] }, resources: { Timeout: 1 } }
    const after: StateSnapshot = {
      ...empty,
      listeners: { exit: [{ name: 'flush' }, { name: 'onExit', file: '/p/src/db.ts', line: 12 }], SIGTERM: [{ name: 'stop' }] },
      resources: { Timeout: 3, TCPServerWrap: 1 },
    }
    expect(diffSnapshots(before, after)).toEqual([
      { where: 'listener', name: 'exit', before: '1 × [flush]', after: '2 × [flush, onExit (db.ts:12)]', kind: 'changed' },
      { where: 'listener', name: 'SIGTERM', after: '1 × [stop]', kind: 'added' },
      { where: 'resource', name: 'Timeout', before: '1', after: '3', kind: 'changed' },
      { where: 'resource', name: 'TCPServerWrap', after: '1', kind: 'added' },
    ])
  })

  test('previews stay within 80 characters', () => {
    const long = 'x'.repeat(500)
    const [entry] = diffSnapshots({ ...empty, env: { A: long } }, { ...empty, env: { A: `${long}y` } })
    expect(entry?.before?.length).toBeLessThanOrEqual(80)
    expect(entry?.after?.length).toBeLessThanOrEqual(80)
  })
})

describe('variablesToCarry', () => {
  test("only what the child's copy of the module does not already have", () => {
    const parent = {
      functionName: 'body', file: '/p/a.test.ts',
      variables: [
        { name: 'MODULE_SCOPE_LIST', scope: 'module' as const, scopeLabel: 'Block', depth: 0, value: { kind: 'copy' as const, value: ['Initial value', 'Parent process update'], preview: '' } },
        { name: 'LIMIT', scope: 'module' as const, scopeLabel: 'Block', depth: 0, value: { kind: 'copy' as const, value: 3, preview: '3' } },
        { name: 'helper', scope: 'module' as const, scopeLabel: 'Block', depth: 0, value: { kind: 'uncopyable' as const, reason: 'a function (helper)', preview: '[Function: helper]' } },
        { name: 'conn', scope: 'module' as const, scopeLabel: 'Block', depth: 0, value: { kind: 'uncopyable' as const, reason: 'a Socket', preview: 'Socket {…}' } },
      ],
    }
    const child = {
      ...parent,
      variables: [
        { ...parent.variables[0]!, value: { kind: 'copy' as const, value: ['Initial value'], preview: '' } },
        parent.variables[1]!,
        parent.variables[2]!,
        { ...parent.variables[3]!, value: { kind: 'copy' as const, value: undefined, preview: 'undefined' } },
      ],
    }
    expect(variablesToCarry(parent, child).map((v) => v.name)).toEqual(['MODULE_SCOPE_LIST', 'conn'])
  })
})

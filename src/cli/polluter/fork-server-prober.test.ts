import { describe, expect, test } from 'vitest'
import { lineReader } from '../../core/ipc/probe-server.js'
import type { Runner } from '../runners/types.js'
import { forkServerBlocker, matchTest } from './fork-server-prober.js'

const runner = (name: 'vitest' | 'jest', server: boolean): Runner => ({
  name,
  version: '0',
  root: '/p',
  run: () => Promise.reject(new Error('not run')),
  repro: () => ({ command: '', exact: true }),
  ...(server ? { probeServer: () => Promise.reject(new Error('not run')) } : {}),
})

describe('forkServerBlocker', () => {
  test('a runner with a probe server on Linux x64 with Node 22 or later can fork; anything else says why', () => {
    expect(forkServerBlocker(runner('vitest', true), 'linux', 'x64', '22.12.0')).toBeUndefined()
    expect(forkServerBlocker(runner('vitest', true), 'linux', 'x64', '24.1.0')).toBeUndefined()
    expect(forkServerBlocker(runner('vitest', true), 'linux', 'x64', '20.20.0')).toBe('forks need Node 22 or later (this is Node 20.20.0)')
    expect(forkServerBlocker(runner('vitest', true), 'darwin', 'arm64', '24.1.0')).toBe('forks need Linux x64 (this is darwin arm64)')
    expect(forkServerBlocker(runner('jest', true), 'linux', 'x64', '24.1.0')).toBeUndefined()
    expect(forkServerBlocker(runner('jest', false), 'linux', 'x64', '24.1.0')).toBe('the runner is jest (it has no probe server)')
  })
})

describe('matchTest', () => {
  const tests = [
    { id: 'a_0', fullName: 'adds', line: 3 },
    { id: 'a_1', fullName: 'twice', line: 7 },
    { id: 'a_2', fullName: 'twice', line: 9 },
  ]
  test('by full name, and by line where a full name repeats', () => {
    expect(matchTest(tests, { file: '/p/t.ts', fullName: 'adds' }).id).toBe('a_0')
    expect(matchTest(tests, { file: '/p/t.ts', fullName: 'twice', line: 9 }).id).toBe('a_2')
  })
  test('a test the worker did not collect is an error that names it and the way out', () => {
    expect(() => matchTest(tests, { file: '/p/t.ts', fullName: 'gone' })).toThrow('has no test named "gone": run again with --fresh-probes')
    expect(() => matchTest(tests, { file: '/p/t.ts', fullName: 'twice', line: 8 })).toThrow('"twice" at line 8')
  })
})

describe('lineReader', () => {
  test('one message per JSON line, across chunk boundaries', () => {
    const got: unknown[] = []
    const read = lineReader((m) => got.push(m))
    read('{"kind":"stop"}\n{"kind":"pro')
    read('be","seq":1,"before":[],"victim":"x"}\n\n')
    expect(got).toEqual([{ kind: 'stop' }, { kind: 'probe', seq: 1, before: [], victim: 'x' }])
  })
})

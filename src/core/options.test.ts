import { describe, expect, test } from 'vitest'
import { frameworkLimits, killWindow, mergeOptions, resolveOptions, validateOptions, MAX_TIMEOUT } from './options.js'

describe('validateOptions', () => {
  test.each([
    [{ timeout: -1 }, /`timeout` option must be a number of milliseconds ≥ 0 \(or Infinity\), got -1 \(number\)/],
    [{ timeout: Number.NaN }, /`timeout` option must be a number of milliseconds, got NaN/],
    [{ timeout: MAX_TIMEOUT + 1 }, /at most 2\^31-1 .* use 0 or Infinity for no limit/],
    [{ timeout: '500' }, /`timeout` option must be a number of milliseconds, got "500" \(string\)/],
    [{ method: 'forkk' }, /`method` option must be 'fork' or 'spawn', got "forkk" \(string\)/],
    [{ killSignal: 'TERM' }, /`killSignal` option must be a signal name such as 'SIGTERM', got "TERM"/],
    [{ maxChildren: 0 }, /`maxChildren` option must be an integer ≥ 1, got 0/],
    [{ env: { A: 1 } }, /`env.A` option must be a string or undefined, got 1 \(number\)/],
    [{ hooks: 'both' }, /`hooks` option must be 'child' or 'parent'/],
    [{ bootTimeout: 0 }, /`bootTimeout` option must be a number of milliseconds ≥ 1/],
    [{ tiemout: 5 }, /unknown option `tiemout`. Known options: timeout, method/],
    [{ memoryLimit: '150' }, /`memoryLimit` option must be a number of MB from 16 to 1048576 \(omit it for no limit\), got "150" \(string\)/],
    [{ memoryLimit: 8 }, /`memoryLimit` option must be a number of MB from 16 .*, got 8 \(number\)/],
    [{ memoryLimit: Infinity }, /`memoryLimit` option must be a number of MB .*, got Infinity/],
    [{ cpuLimit: '500' }, /`cpuLimit` option must be a number of ms of CPU time from 10 to 2147483647 \(omit it for no limit\), got "500" \(string\)/],
    [{ cpuLimit: 5 }, /`cpuLimit` option must be a number of ms of CPU time from 10 .*, got 5 \(number\)/],
    [{ cpuLimit: Infinity }, /`cpuLimit` option must be .*, got Infinity/],
  ])('%j is rejected with a message naming option, value and what is allowed', (input, message) => {
    expect(() => validateOptions(input, 'where')).toThrow(TypeError)
    expect(() => validateOptions(input, 'where')).toThrow(message)
  })

  test('accepts 0 and Infinity as "no limit"', () => {
    expect(resolveOptions(validateOptions({ timeout: 0 }, 'x')).timeout).toBe(Infinity)
    expect(resolveOptions(validateOptions({ timeout: Infinity }, 'x')).timeout).toBe(Infinity)
  })

  test('memoryLimit is in MB and has no default', () => {
    expect(resolveOptions(validateOptions({ memoryLimit: 150 }, 'x')).memoryLimit).toBe(150)
    expect(resolveOptions({}).memoryLimit).toBeUndefined()
  })

  test('cpuLimit is in ms of CPU time and has no default', () => {
    expect(resolveOptions(validateOptions({ cpuLimit: 2000 }, 'x')).cpuLimit).toBe(2000)
    expect(resolveOptions({}).cpuLimit).toBeUndefined()
  })

  test('defaults', () => {
    const r = resolveOptions({})
    expect(r).toMatchObject({ method: 'fork', killSignal: 'SIGTERM', forceKillAfterDelay: 500, bootTimeout: 30_000, hooks: 'child', leaks: 'warn' })
    expect(r.maxChildren).toBeGreaterThanOrEqual(1)
  })
})

test('mergeOptions lets later layers win and merges env key by key', () => {
  expect(mergeOptions({ timeout: 1, env: { A: 'a', B: 'b' } }, { method: 'spawn', env: { B: 'B' } }, { timeout: 2 })).toEqual({
    timeout: 2,
    method: 'spawn',
    env: { A: 'a', B: 'B' },
  })
})

describe('frameworkLimits', () => {
  const kill = 2000
  test('without a framework timer, the limits are the options as given', () => {
    expect(frameworkLimits(resolveOptions({ timeout: 300 }), 0, 100, 'x')).toEqual({ timeout: 300, bootTimeout: 30_000 })
    expect(frameworkLimits(resolveOptions({}), undefined, 100, 'x')).toEqual({ timeout: Infinity, bootTimeout: 30_000 })
  })

  test('under a framework timer, a limit larger than it leaves is kept, with the deadline that will cut it', () => {
    expect(frameworkLimits(resolveOptions({ timeout: 5000 }), 5000, 100, 'testTimeout')).toEqual({
      timeout: 5000,
      bootTimeout: 30_000,
      frameworkDeadline: 5100,
      frameworkSetting: 'testTimeout (now 5000 ms)',
    })
  })

  test('only a framework timer shorter than the kill window can never work', () => {
    expect(frameworkLimits(resolveOptions({}), kill, 0, 'testTimeout')).toMatch(/testTimeout is 2000 ms, which is not even the kill window \(2000 ms/)
    expect(frameworkLimits(resolveOptions({}), kill + 1, 0, 'testTimeout')).toMatchObject({ frameworkDeadline: kill + 1 })
  })

  test('the kill window is the stuck-frame capture plus forceKillAfterDelay', () => {
    expect(killWindow(resolveOptions({}))).toBe(kill)
    expect(killWindow(resolveOptions({ forceKillAfterDelay: 0 }))).toBe(1500)
  })
})

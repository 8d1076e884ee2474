import { describe, expect, test } from 'vitest'
import { fitLimits, mergeOptions, resolveOptions, validateOptions, MAX_TIMEOUT } from './options.js'

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
  ])('%j is rejected with a message naming option, value and what is allowed', (input, message) => {
    expect(() => validateOptions(input, 'where')).toThrow(TypeError)
    expect(() => validateOptions(input, 'where')).toThrow(message)
  })

  test('accepts 0 and Infinity as "no limit"', () => {
    expect(resolveOptions(validateOptions({ timeout: 0 }, 'x')).timeout).toBe(Infinity)
    expect(resolveOptions(validateOptions({ timeout: Infinity }, 'x')).timeout).toBe(Infinity)
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

describe('fitLimits', () => {
  const kill = 1500
  test('without a timeout, the body gets what the framework leaves after the kill window and boot', () => {
    const limits = fitLimits(resolveOptions({}), 5000, 'testTimeout')
    expect(limits).toEqual({ timeout: 5000 - kill - 1750, bootTimeout: 1750 })
  })

  test('an explicit bootTimeout is kept', () => {
    expect(fitLimits(resolveOptions({ bootTimeout: 2000 }), 10_000, 'testTimeout')).toEqual({ timeout: 10_000 - kill - 2000, bootTimeout: 2000 })
  })

  test('isolated(500) fits under the default 5 s by shrinking the default boot allowance', () => {
    expect(fitLimits(resolveOptions({ timeout: 500 }), 5000, 'testTimeout')).toEqual({ timeout: 500, bootTimeout: 3000 })
  })

  test('a limit that does not fit names the setting and the minimum', () => {
    expect(fitLimits(resolveOptions({ timeout: 4000 }), 5000, 'testTimeout')).toMatch(/Raise testTimeout to at least 6500 ms/)
  })

  test('no framework limit: everything as given', () => {
    expect(fitLimits(resolveOptions({ timeout: 300 }), 0, 'x')).toEqual({ timeout: 300, bootTimeout: 30_000 })
  })

  test('"no limit" under a framework limit is refused', () => {
    expect(fitLimits(resolveOptions({ timeout: 0 }), 5000, 'testTimeout')).toMatch(/no limit.*framework would stop the test first/)
  })
})

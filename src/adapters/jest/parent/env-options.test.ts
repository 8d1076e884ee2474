import { describe, expect, test } from 'vitest'
import { fileOptions, withoutOurOptions } from './env-options.js'

describe('fileOptions', () => {
  test('the pragma is merged over the config, env key by key', () => {
    const options = fileOptions(
      { isolated: { timeout: 1000, method: 'spawn', env: { A: '1', B: '2' } } },
      '/root',
      { 'isolated-test': '{"timeout": 200, "env": {"B": "3"}}' },
      '/root/tests/a.test.js',
    )
    expect(options).toEqual({ timeout: 200, method: 'spawn', env: { A: '1', B: '3' } })
  })

  test('several pragmas apply in order; an empty one is no change', () => {
    expect(fileOptions({}, '/root', { 'isolated-test': ['{"timeout": 1}', '', '{"timeout": 2}'] }, '/root/a.test.js')).toEqual({ timeout: 2 })
  })

  test('setup is relative to the file that names it', () => {
    expect(fileOptions({ isolated: { setup: './s.js' } }, '/root', {}, '/root/t/a.test.js').setup).toBe('/root/s.js')
    expect(fileOptions({}, '/root', { 'isolated-test': '{"setup": "../s.js"}' }, '/root/t/a.test.js').setup).toBe('/root/s.js')
    expect(fileOptions({ isolated: { setup: 'some-package/setup' } }, '/root', {}, '/root/a.test.js').setup).toBe('some-package/setup')
  })

  test('bad input names the place and what is allowed', () => {
    expect(() => fileOptions({}, '/root', { 'isolated-test': '{timeout: 1}' }, '/root/a.test.js')).toThrow(/@isolated-test pragma in \/root\/a\.test\.js is not JSON/)
    expect(() => fileOptions({ isolated: { method: 'forkk' } }, '/root', {}, '/root/a.test.js')).toThrow(/testEnvironmentOptions\.isolated: the `method` option must be 'fork' or 'spawn', got "forkk"/)
    expect(() => fileOptions({}, '/root', { 'isolated-test': '{"environment": ""}' }, '/root/a.test.js')).toThrow(/`environment` option/)
  })
})

test('withoutOurOptions removes only our key', () => {
  const config = { rootDir: '/r', testEnvironmentOptions: { isolated: { timeout: 1 }, customExportConditions: ['node'] } }
  expect(withoutOurOptions(config).testEnvironmentOptions).toEqual({ customExportConditions: ['node'] })
  expect(config.testEnvironmentOptions.isolated).toEqual({ timeout: 1 })
})

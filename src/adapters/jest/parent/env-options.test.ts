import { describe, expect, test } from 'vitest'
import { fileOptions, withoutOurOptions } from './env-options.js'

describe('fileOptions', () => {
  const pragma = (json: string): string => `/** @isolated-test ${json} */\ntest('x', () => {})\n`

  test('the pragma is merged over the config, env key by key', () => {
    const { options } = fileOptions(
      { isolated: { timeout: 1000, method: 'spawn', env: { A: '1', B: '2' } } },
      '/root',
      pragma('{"timeout": 200, "env": {"B": "3"}}'),
      '/root/tests/a.test.js',
    )
    expect(options).toEqual({ timeout: 200, method: 'spawn', env: { A: '1', B: '3' } })
  })

  test('several pragmas apply in order; an empty one is no change', () => {
    const source = '/**\n * @isolated-test {"timeout": 1}\n * @isolated-test\n */\n// @isolated-test {"timeout": 2}\ntest()'
    expect(fileOptions({}, '/root', source, '/root/a.test.js')).toEqual({ options: { timeout: 2 }, warning: undefined })
  })

  test('setup is relative to the file that names it', () => {
    expect(fileOptions({ isolated: { setup: './s.js' } }, '/root', '', '/root/t/a.test.js').options.setup).toBe('/root/s.js')
    expect(fileOptions({}, '/root', pragma('{"setup": "../s.js"}'), '/root/t/a.test.js').options.setup).toBe('/root/s.js')
    expect(fileOptions({ isolated: { setup: 'some-package/setup' } }, '/root', '', '/root/a.test.js').options.setup).toBe('some-package/setup')
  })

  test('a pragma after Jest\'s first docblock applies (Jest itself reads only that one)', () => {
    // (Vitest reads a spelt-out environment docblock anywhere in this file: the name is built.)
    const source = `/**\n * @jest-environment ${'isolated-test'}/jest\n */\n` + '/** @isolated-test {"hooks": "parent"} */\ntest()'
    expect(fileOptions({}, '/root', source, '/root/a.test.js').options).toEqual({ hooks: 'parent' })
  })

  test('an unused pragma-like comment: no options, one warning naming the file relative to rootDir', () => {
    const { options, warning } = fileOptions({}, '/root', 'const a = 1\n/** @isolated-test {"timeout": 1} */\n', '/root/t/a.test.js')
    expect(options).toEqual({})
    expect(warning).toMatch(/^isolated-test: t\/a\.test\.js:2: this comment looks like an @isolated-test pragma but is not used/)
  })

  test('bad input names the place and what is allowed', () => {
    expect(() => fileOptions({}, '/root', pragma('{timeout: 1}'), '/root/a.test.js')).toThrow(/^the @isolated-test pragma in a\.test\.js:1 must be followed by one JSON object, got \{timeout: 1\}/)
    expect(() => fileOptions({ isolated: { method: 'forkk' } }, '/root', '', '/root/a.test.js')).toThrow(/testEnvironmentOptions\.isolated: the `method` option must be 'fork' or 'spawn', got "forkk"/)
    expect(() => fileOptions({}, '/root', pragma('{"environment": ""}'), '/root/a.test.js')).toThrow(/`environment` option/)
  })
})

test('withoutOurOptions removes only our key', () => {
  const config = { rootDir: '/r', testEnvironmentOptions: { isolated: { timeout: 1 }, customExportConditions: ['node'] } }
  expect(withoutOurOptions(config).testEnvironmentOptions).toEqual({ customExportConditions: ['node'] })
  expect(config.testEnvironmentOptions.isolated).toEqual({ timeout: 1 })
})

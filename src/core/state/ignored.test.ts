import { describe, expect, test } from 'vitest'
import { compileIgnoreLeaks, isIgnored, isLoaderVariable } from './ignored.js'

describe('isIgnored', () => {
  test("Node's, the engine's and the frameworks' globals", () => {
    for (const name of ['process', 'Buffer', 'fetch', 'navigator', 'Array', 'WebAssembly', '__vitest_worker__', 'expect', 'Symbol(expect-global)', 'Symbol(jest-native-promise)']) {
      expect(isIgnored('global', name), name).toBe(true)
    }
    expect(isIgnored('global', 'MY_APP_CONFIG')).toBe(false)
  })

  test('environment the frameworks set', () => {
    expect(isIgnored('env', 'VITEST_WORKER_ID')).toBe(true)
    expect(isIgnored('env', 'JEST_WORKER_ID')).toBe(true)
    expect(isIgnored('env', 'DATABASE_URL')).toBe(false)
  })

  test('ours, everywhere', () => {
    for (const [where, name] of [['env', 'ISOLATED_TEST_CHILD'], ['global', '__isolated_test__'], ['global', 'Symbol(isolated-test.child-state)'], ['module', 'isolated']] as const) {
      expect(isIgnored(where, name), name).toBe(true)
    }
  })

  test('ignoreLeaks: names, globs and kind prefixes', () => {
    const user = compileIgnoreLeaks(['CI_*', 'global:__APP_?__', 'cache'])
    expect(isIgnored('env', 'CI_COMMIT', user)).toBe(true)
    expect(isIgnored('global', '__APP_1__', user)).toBe(true)
    expect(isIgnored('env', '__APP_1__', user)).toBe(false)
    expect(isIgnored('module', 'cache', user)).toBe(true)
    expect(isIgnored('module', 'cached', user)).toBe(false)
    expect(isIgnored('module', 'a.b', compileIgnoreLeaks(['a.b']))).toBe(true)
    expect(isIgnored('module', 'axb', compileIgnoreLeaks(['a.b']))).toBe(false)
  })

  test("loaders' module variables", () => {
    expect(isLoaderVariable('__vite_ssr_import_0__')).toBe(true)
    expect(isLoaderVariable('__vi_import_1__')).toBe(true)
    expect(isLoaderVariable('require')).toBe(true)
    expect(isLoaderVariable('MODULE_SCOPE_LIST')).toBe(false)
  })
})

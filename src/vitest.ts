// Public API of `isolated-test/vitest`.
export { isolatedTests, type IsolatedTestsPlugin } from './adapters/vitest/parent/plugin.js'
export type { IsolatedTestsOptions } from './adapters/vitest/parent/plugin-options.js'
export type { IsolatedOptions, Method, HooksMode, LeaksMode } from './core/options.js'

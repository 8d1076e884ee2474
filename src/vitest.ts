// Public API of `isolated-test/vitest`.
export { isolatedTests, type IsolatedTestsPlugin } from './vitest/plugin.js'
export type { IsolatedTestsOptions } from './vitest/plugin-options.js'
export type { IsolatedOptions, Method, HooksMode, LeaksMode } from './options.js'

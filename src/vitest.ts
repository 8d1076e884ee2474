// Public API of `isolated-test/vitest`.
export { isolatedTests, type IsolatedTestsPlugin } from './adapters/vitest/parent/plugin.js'
export type { IsolatedTestsOptions } from './adapters/vitest/parent/plugin-options.js'
export type { IsolatedOptions, Method, HooksMode, LeaksMode } from './core/options.js'
import type { IsolatedOptions } from './core/options.js'

// `test('x', { meta: { isolated: {...} } }, fn)` under the plugin: Vitest's documented way to type
// task meta. It applies wherever this module's types are loaded (the config that imports the plugin).
declare module 'vitest' {
  interface TaskMeta {
    /** The plugin's per-test options: `false` keeps the test in-process, `true` isolates it with the file's options. */
    isolated?: IsolatedOptions | boolean
  }
}

// Public API of `isolated-test`.
export { isolated, type Wrapped } from './isolated.js'
export { inProcess } from './markers.js'
export type { IsolatedOptions, Method, HooksMode, LeaksMode } from './options.js'
export {
  IsolatedTestError,
  IsolatedTimeoutError,
  IsolatedBootError,
  IsolatedCrashError,
  IsolatedSerializationError,
  IsolatedMismatchError,
  IsolatedConfigError,
  isIsolatedTestError,
  type StuckFrame,
} from './errors.js'

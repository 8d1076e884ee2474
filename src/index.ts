// Public API of `isolated-test`. Loading it registers each framework's adapter with the core, which
// knows none of them (see src/core/adapter.ts).
import './adapters/vitest/parent/host-adapter.js'
import './adapters/jest/parent/host-adapter.js'
export { isolated, type Decorate, type Promised, type Wrapped } from './core/isolated.js'
export { inProcess } from './core/markers.js'
export type { IsolatedOptions, Method, HooksMode, LeaksMode } from './core/options.js'
export {
  IsolatedTestError,
  IsolatedTimeoutError,
  IsolatedBootError,
  IsolatedCrashError,
  IsolatedSerializationError,
  IsolatedMismatchError,
  IsolatedConfigError,
  IsolatedLeakError,
  IsolatedMemoryError,
  IsolatedCpuError,
  isIsolatedTestError,
  type StuckFrame,
} from './core/errors.js'

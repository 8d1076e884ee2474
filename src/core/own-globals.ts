// The globals our own code uses, bound when it loads. A test may replace them while our code runs
// beside it (`vi.stubGlobal('process', { ...process, platform: 'win32' })`, fake timers on
// `setTimeout`): our parent's kill timers and our child's state report must not see the fake. The build
// (scripts/build.mjs, esbuild's `inject`) points every free use of these names in src/ here; the
// TypeScript source keeps writing `process` and `setTimeout`.
//
// node:process is the real process (under Jest's sandbox, its copy, as the global is there); node:timers
// are Node's own timers in every realm, never a fake timer library's.
import nodeProcess from 'node:process'
import * as timers from 'node:timers'

export { nodeProcess as process }
export const setTimeout = timers.setTimeout
export const clearTimeout = timers.clearTimeout
export const setInterval = timers.setInterval
export const clearInterval = timers.clearInterval
export const setImmediate = timers.setImmediate
export const clearImmediate = timers.clearImmediate

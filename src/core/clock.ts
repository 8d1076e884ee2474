// The one clock both processes read: CLOCK_MONOTONIC (libuv's hrtime), in ms. A phase's time is
// measured in the child and compared in the parent on the same clock, so neither transit nor the
// parent's event-loop lag counts against a test. Bound at load: tests may fake `process.hrtime`.
import { realProcess as process } from './real-process.js'
const hrtime = process.hrtime.bigint.bind(process.hrtime)

export function monotonicMs(): number {
  return Number(hrtime()) / 1e6
}

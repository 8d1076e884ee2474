import { expect, test } from 'vitest'
import { LONG_WRITE_BYTES, withOutputFlow } from './output-flow.js'
import type { WatchdogReport } from '../ipc/protocol.js'

const frame = { functionName: 'spin', file: '/p/a.test.ts', line: 3, column: 5 }
const busyAt: WatchdogReport = { op: 'stuck', state: 'busy', frames: [frame], resources: [] }
const busyOutside: WatchdogReport = { op: 'stuck', state: 'busy', frames: [], allFrames: [frame], resources: [] }
const idle: WatchdogReport = { op: 'stuck', state: 'idle', frames: [], resources: ['a Timeout (setTimeout)'] }

test('little output during the capture leaves the report as it is', () => {
  expect(withOutputFlow(undefined, LONG_WRITE_BYTES)).toBeUndefined()
  expect(withOutputFlow(busyOutside, 1000)).toBe(busyOutside)
})

test("megabytes during the capture: no answer, or none of the user's frames, is writing output", () => {
  expect(withOutputFlow(undefined, 5 * LONG_WRITE_BYTES)).toEqual({ op: 'stuck', state: 'writing', frames: [], resources: [] })
  expect(withOutputFlow(busyOutside, 5 * LONG_WRITE_BYTES)).toEqual({ ...busyOutside, state: 'writing' })
  expect(withOutputFlow(idle, 5 * LONG_WRITE_BYTES)).toEqual({ ...idle, state: 'writing', resources: [] })
})

test("busy in the user's code stays busy however much it writes (a loop that logs)", () => {
  expect(withOutputFlow(busyAt, 50 * LONG_WRITE_BYTES)).toBe(busyAt)
})

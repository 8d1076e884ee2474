import { expect, test } from 'vitest'
import { heapCapFor, heapCapOf, withHeapCap } from './heap-cap.js'
import type { StartOptions } from '../child-process.js'

const start = (execArgv: string[], NODE_OPTIONS?: string): StartOptions => ({ cwd: '/', execArgv, env: NODE_OPTIONS === undefined ? {} : { NODE_OPTIONS } })

test('a limit gives the limit + 25% + 64 MB, first in execArgv', () => {
  expect(heapCapFor(150)).toBe(252)
  expect(withHeapCap(start(['--conditions=x']), 150).execArgv).toEqual(['--max-old-space-size=252', '--conditions=x'])
  expect(heapCapOf(withHeapCap(start([]), 150), 150)).toEqual({ capMb: 252, by: 'memoryLimit' })
})

test("no limit, no cap; the user's cap wins, in execArgv or NODE_OPTIONS", () => {
  expect(withHeapCap(start([]), undefined).execArgv).toEqual([])
  expect(heapCapOf(start([]), undefined)).toEqual({ capMb: undefined, by: 'default' })
  expect(withHeapCap(start(['--max-old-space-size=64']), 150).execArgv).toEqual(['--max-old-space-size=64'])
  expect(withHeapCap(start([], '--max_old_space_size=80'), 150).execArgv).toEqual([])
  expect(heapCapOf(start(['--max-old-space-size=64']), 150)).toEqual({ capMb: 64, by: 'user' })
  expect(heapCapOf(start([], '--max_old_space_size=80 --no-warnings'), 150)).toEqual({ capMb: 80, by: 'user' })
  // The command line comes after NODE_OPTIONS: its value is the one in force.
  expect(heapCapOf(start(['--max-old-space-size=90'], '--max-old-space-size=80'), undefined)).toEqual({ capMb: 90, by: 'user' })
})

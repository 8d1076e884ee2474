import { PassThrough } from 'node:stream'
import { expect, test } from 'vitest'
import { StderrTail, v8OutOfMemory } from './child.js'

// V8's out-of-memory report as Node 24 writes it: GC lines, the fatal line, then a long native stack.
const gc = '[3233:0x1e6df000]      994 ms: Mark-Compact 263.8 (278.8) -> 263.1 (277.9) MB, pooled: 0 MB, 27.55 / 0.00 ms  (average mu = 0.919, current mu = 0.861) allocation failure; scavenge might not succeed'
const fatal = 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'
const stack = Array.from({ length: 40 }, (_, i) => ` ${i + 1}: 0x9434f0  [/usr/bin/node]`)

test('the tail keeps the fatal line and the last GC line when a native stack pushes them out', async () => {
  const stream = new PassThrough()
  const tail = new StderrTail(stream)
  stream.write(['', '<--- Last few GCs --->', '', gc, '', fatal, '----- Native stack trace -----', ...stack, ''].join('\n'))
  await new Promise((resolve) => setImmediate(resolve))
  const text = tail.text()
  expect(text).toContain(fatal)
  expect(text).toContain(gc)
  expect(text).toContain(' 40: 0x9434f0')
  expect(v8OutOfMemory(text)).toEqual({ heapMb: 263.8 })
})

test('no fatal line, no out-of-memory; a fatal line without GC lines has no heap figure', () => {
  expect(v8OutOfMemory(`${gc}\nError: boom`)).toBeUndefined()
  expect(v8OutOfMemory(`${fatal}\n 1: 0x0`)).toEqual({ heapMb: undefined })
})

import { describe, expect, test } from 'vitest'
import { parseNativeStack } from './native-stack.js'

// The source map of a one-line script whose column 0 maps to line 3, column 4 of /src/original.ts.
const map = Buffer.from(JSON.stringify({ version: 3, sources: ['/src/original.ts'], names: [], mappings: 'AAEI' })).toString('base64')

describe('parseNativeStack', () => {
  test('no answer: the main thread never reached a safe point', () => {
    expect(parseNativeStack('ITS1 no-answer\n')).toEqual({ answered: false })
  })

  test('an answer without frames: the event loop was idle', () => {
    expect(parseNativeStack('ITS1 answered\n')).toEqual({ answered: true, frames: [] })
  })

  test('frames are 1-based, and mapped through their script source map', () => {
    const text = ['ITS1 answered', 'f\tspin\t/gen/out.js\t0\t0', `m\t/gen/out.js\tdata:application/json;base64,${map}`, 'f\tlistOnTimeout\tnode:internal/timers\t583\t15', ''].join('\n')
    expect(parseNativeStack(text)).toEqual({
      answered: true,
      frames: [
        { functionName: 'spin', file: '/src/original.ts', line: 3, column: 5 },
        { functionName: 'listOnTimeout', file: 'node:internal/timers', line: 584, column: 16 },
      ],
    })
  })

  test("a 'c' record is the child's coverage (its stack hook's JSON), kept whole", () => {
    const coverage = JSON.stringify({ provider: 'v8', result: [{ url: 'file:///a b.ts', functions: [] }] })
    const text = ['ITS1 answered', 'f\tspin\t/gen/out.js\t0\t0', `c\t${coverage}`, ''].join('\n')
    const parsed = parseNativeStack(text)
    expect(parsed).toMatchObject({ answered: true, coverage })
    expect(parseNativeStack('ITS1 answered\n')).toEqual({ answered: true, frames: [], coverage: undefined })
  })

  test('anything else is not an answer', () => {
    expect(parseNativeStack('garbage')).toBeUndefined()
  })
})

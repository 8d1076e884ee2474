import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { anchoredAlternation, escapeRegex, shellQuote } from './names.js'
import { vitestRunner } from './vitest.js'

const root = join(import.meta.dirname, '..', '..', '..')
const file = join(root, 'tests', 'a.test.ts')

describe('repro commands', () => {
  test('names are escaped and anchored, so a name with regex characters selects only itself', () => {
    const names = ['adds (a) guest?', 'costs $5.00 [net]', "it's a|b"]
    const re = new RegExp(anchoredAlternation(names))
    for (const n of names) expect(re.test(n)).toBe(true)
    expect(re.test('adds a guest')).toBe(false)
    expect(re.test('x adds (a) guest?')).toBe(false)
    expect(escapeRegex('a/b-c')).toBe('a\\/b\\-c')
  })

  test('shell quoting survives single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`)
    expect(shellQuote('tests/a.test.ts:12')).toBe('tests/a.test.ts:12')
  })

  test('Vitest selects by file:line when a selected full name repeats in the file', () => {
    const runner = vitestRunner({ root, extraArgs: [], env: {} })
    const listing = [
      { file, fullName: 'same', line: 3 },
      { file, fullName: 'other', line: 7 },
      { file, fullName: 'same', line: 11 },
    ]
    runner.setListing(listing)
    expect(runner.repro([listing[2]!, listing[1]!]).command).toBe('ISOLATED_TEST=off npx vitest run tests/a.test.ts:11 tests/a.test.ts:7')
    expect(runner.repro([listing[1]!]).command).toBe(`ISOLATED_TEST=off npx vitest run tests/a.test.ts -t '^(?:other)$'`)
  })

  test('Vitest across files: in band, the files in the search order, and not exact (no flag sets the order)', () => {
    const runner = vitestRunner({ root, extraArgs: ['--config', 'vitest.across.config.ts'], env: {} })
    const other = join(root, 'tests', 'b.test.ts')
    const repro = runner.repro([{ file: other, fullName: 'pollutes', line: 2 }, { file, fullName: 'victim', line: 5 }])
    expect(repro.command).toBe(`ISOLATED_TEST=off npx vitest run tests/b.test.ts tests/a.test.ts -t '^(?:pollutes|victim)$' --no-isolate --no-file-parallelism --sequence.shuffle=false --config vitest.across.config.ts`)
    expect(repro.exact).toBe(false)
    expect(repro.note).toContain('the search ran them in this order: tests/b.test.ts, tests/a.test.ts')
  })

  test('the seed and the extra args are carried into the command', () => {
    const runner = vitestRunner({ root, seed: 42, extraArgs: ['--project', 'unit'], env: {} })
    expect(runner.repro([{ file, fullName: 'x', line: 1 }]).command).toBe(`ISOLATED_TEST=off npx vitest run tests/a.test.ts -t '^(?:x)$' --sequence.seed=42 --project unit`)
  })
})

import { describe, expect, test } from 'vitest'
import { parseArgs } from './args.js'
import { IsolatedUsageError } from './errors.js'

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv)
  } catch (error) {
    expect(error).toBeInstanceOf(IsolatedUsageError)
    expect((error as IsolatedUsageError).exitCode).toBe(2)
    return (error as Error).message
  }
  throw new Error(`no usage error for ${argv.join(' ')}`)
}

describe('parseArgs', () => {
  test('polluter: the file, the line, the name, the flags and the runner args after --', () => {
    expect(parseArgs(['polluter', 'a.test.ts:12', '-t', 'x y', '--runner=jest', '--seed', '-3', '--json', '--no-rank', '--', '--config', 'c.ts'])).toEqual({
      command: 'polluter',
      file: 'a.test.ts',
      line: 12,
      name: 'x y',
      runner: 'jest',
      seed: -3,
      json: true,
      rank: 'never',
      freshProbes: false,
      extraArgs: ['--config', 'c.ts'],
    })
  })

  test('polluter: --fresh-probes turns the fork-server prober off', () => {
    expect(parseArgs(['polluter', 'a.test.ts', '-t', 'x', '--fresh-probes'])).toMatchObject({ command: 'polluter', freshProbes: true })
    expect(parseArgs(['polluter', 'a.test.ts', '-t', 'x'])).toMatchObject({ command: 'polluter', freshProbes: false })
  })

  test('compare passes what it does not know to the runner', () => {
    expect(parseArgs(['compare', 'tests/', '--json', '--project', 'unit'])).toEqual({ command: 'compare', runner: undefined, json: true, extraArgs: ['tests/', '--project', 'unit'] })
  })

  test('errors name the option, the value and what is allowed', () => {
    expect(usage(['polluter', 'a.ts', '-t', 'x', '--runner', 'mocha'])).toBe(`--runner must be 'vitest' or 'jest', got "mocha".`)
    expect(usage(['polluter', 'a.ts', '-t', 'x', '--seed', '1.5'])).toBe('--seed must be an integer (the seed of the failing run), got "1.5".')
    expect(usage(['polluter', 'a.ts'])).toContain(`needs the victim's full name`)
    expect(usage(['polluter', '-t', 'x'])).toContain('needs exactly one test file')
    expect(usage(['polluter', 'a.ts', '-t', 'x', '--bail'])).toContain('Unknown option "--bail" for polluter')
    expect(usage(['bisect'])).toContain(`Unknown command "bisect"`)
  })
})

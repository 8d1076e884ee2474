// ts-jest, an old jest-environment-node hoisted at the top, and the ways of choosing the environment.
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fixturesDir, leftovers, runJest, type JestRun } from './helpers.js'

describe('ts-jest project', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30-ts', [])
  })

  test('the child transforms with ts-jest, jest.mock included', () => {
    expect(run.result('ts-jest transforms in the child, with the jest.mock factory').status).toBe('passed')
  })

  test('lines point at the .ts source', () => {
    expect(run.failure('diff points at the .ts line')).toMatch(/ts\.test\.ts:17:\d+/)
    expect(run.failure('a loop in TypeScript is killed at its line')).toMatch(/ts\.test\.ts:23:\d+/)
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})

describe('a project with jest-environment-node@27 hoisted', () => {
  let run: JestRun
  beforeAll(async () => {
    run = await runJest('jest30-old-env', [])
  })

  test("the environment builds on the running Jest's own copy", () => {
    expect(run.output).not.toContain('Test suite failed to run')
    expect(run.result('runs in a child on Jest 30').status).toBe('passed')
    expect(run.failure('a loop is killed at the configured limit')).toContain('timed out after 300 ms')
  })

  test('no process is left', () => {
    expect(leftovers(run)).toEqual([])
  })
})

describe('choosing the environment: docblock and command line', () => {
  const plain = join(fixturesDir, 'jest30', 'plain')
  let docblock: JestRun
  let cli: JestRun
  beforeAll(async () => {
    docblock = await runJest('jest30', ['__tests__/docblock.test.js'], { cwd: plain })
    cli = await runJest('jest30', ['--testEnvironment', 'isolated-test/jest', '__tests__/cli-env.test.js'], { cwd: plain })
  })

  // (Vitest reads docblock-like text in this file, so the pragma is not spelled out here.)
  test('the jest-environment docblock with an isolated-test pragma', () => {
    expect(docblock.result('runs in a child through the docblock environment').status).toBe('passed')
    expect(docblock.failure('the pragma limit applies')).toContain('timed out after 300 ms')
  })

  test('--testEnvironment isolated-test/jest', () => {
    expect(cli.result('runs in a child through --testEnvironment').status).toBe('passed')
  })

  test('no process is left', () => {
    expect(leftovers(docblock)).toEqual([])
    expect(leftovers(cli)).toEqual([])
  })
})

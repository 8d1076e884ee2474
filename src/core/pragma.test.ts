import { expect, test } from 'vitest'
import { readPragma } from './pragma.js'

test('reads the pragma from the leading docblock', () => {
  expect(readPragma('/** @isolated-test {"timeout": 200} */\nimport x from "y"', 'f.ts')).toEqual({ timeout: 200 })
  expect(readPragma('/**\n * @jest-environment node\n * @isolated-test {"method": "spawn", "env": {"A": "1"}}\n */\n', 'f.ts')).toEqual({ method: 'spawn', env: { A: '1' } })
})

test('ignores files without one, and a pragma outside the leading docblock', () => {
  expect(readPragma('import x from "y"', 'f.ts')).toBeUndefined()
  expect(readPragma('const a = 1\n/** @isolated-test {"timeout": 1} */', 'f.ts')).toBeUndefined()
})

test('bad JSON and bad options name the file', () => {
  expect(() => readPragma('/** @isolated-test {timeout: 1} */', 'a.test.ts')).toThrow(/a\.test\.ts: the @isolated-test pragma must be followed by a JSON object/)
  expect(() => readPragma('/** @isolated-test {"method": "forkk"} */', 'a.test.ts')).toThrow(/a\.test\.ts: @isolated-test pragma: the `method` option must be 'fork' or 'spawn'/)
})

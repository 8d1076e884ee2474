// Concurrent tests under the Jest environment draw different random values on either process model:
// under the fork server the sandbox realm of each fork is re-seeded too (fixtures/jest30/random).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { distinct, readDraws, type Draw } from '../helpers/draws.js'
import { leftovers, runJest, type JestRun } from './helpers.js'

let run: JestRun
let draws: Draw[]

beforeAll(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'isolated-draws-')), 'draws.jsonl')
  run = await runJest('jest30', ['random/draws.test.js'], { env: { E2E_DRAWS_FILE: file } })
  draws = readDraws(file)
})

test('every test ran, each in its own child', () => {
  for (const name of ['a', 'b', 'c', 'd']) expect(run.result(`draws ${name}`).status).toBe('passed')
  expect(draws.map((d) => d.name).sort()).toEqual(['a', 'b', 'c', 'd'])
  expect(distinct(draws.map((d) => d.pid))).toBe(4)
})

test('no two children draw the same Math.random() or randomUUID()', () => {
  expect(distinct(draws.map((d) => d.random))).toBe(4)
  expect(distinct(draws.map((d) => d.uuid))).toBe(4)
})

test('no process is left', () => {
  expect(leftovers(run)).toEqual([])
})

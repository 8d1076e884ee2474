// Concurrent isolated bodies draw different random values on either process model; under the fork
// server they are forks of one zygote that drew before them (fixtures/vitest4/random).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, expect, test } from 'vitest'
import { distinct, readDraws, type Draw } from '../helpers/draws.js'
import { repoRoot } from '../helpers/package.js'
import { runVitest, type VitestRun } from '../helpers/run-vitest.js'
import { survivors } from '../helpers/processes.js'
import { transparentHugePages } from '../helpers/huge-pages.js'
import { FORK_SERVER } from '../helpers/model.js'

let run: VitestRun
let draws: Draw[]

beforeAll(() => {
  const file = join(mkdtempSync(join(tmpdir(), 'isolated-draws-')), 'draws.jsonl')
  run = runVitest(join(repoRoot, 'fixtures', 'vitest4'), ['random/'], { E2E_DRAWS_FILE: file })
  draws = readDraws(file)
})

test('every body ran, each in its own child', () => {
  for (const name of ['a', 'b', 'c', 'd']) expect(run.test(`draws ${name}`).status).toBe('passed')
  expect(draws.map((d) => d.name).sort()).toEqual(['a', 'b', 'c', 'd'])
  expect(distinct(draws.map((d) => d.pid))).toBe(4)
})

test('no two children draw the same Math.random() or randomUUID()', () => {
  expect(distinct(draws.map((d) => d.random))).toBe(4)
  expect(distinct(draws.map((d) => d.uuid))).toBe(4)
})

test("a child's process.execArgv (what a process it forks inherits) holds none of the zygote's compile flags", () => {
  const zygoteOnly = /^--(no-lazy|no-flush-bytecode|invocation-count-for-)/
  for (const d of draws) {
    expect(d.execArgv, d.name).toBeDefined()
    expect(d.execArgv!.filter((flag) => zygoteOnly.test(flag)), d.name).toEqual([])
  }
})

test("a forked child runs Node's code from the huge pages its zygote moved it to; a fresh child's is where Node put it", () => {
  const thp = transparentHugePages()
  for (const d of draws) {
    if (FORK_SERVER && thp) expect(d.hugeCodeKb, d.name).toBeGreaterThanOrEqual(20 * 1024)
    else expect(d.hugeCodeKb, d.name).toBe(0)
  }
})

test('no process is left', async () => {
  expect(await survivors(run.pids)).toEqual([])
})

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { BASE_SEQUENCER_ENV, FILE_ORDER_ENV, FILE_ORDER_OUT_ENV, orderByList, parseOrder } from './file-order.js'
import OrderedSequencer from './jest-sequencer.js'
import { pinnedSequencer } from './vitest-sequencer.js'

const id = (s: string): string => s

describe('the pinned file order', () => {
  test('listed files first, in the list order; the rest after, in the runner order', () => {
    expect(orderByList(['/c', '/a', '/x', '/b'], id, ['/a', '/b', '/c'])).toEqual(['/a', '/b', '/c', '/x'])
    expect(orderByList(['/y', '/a', '/x'], id, ['/a'])).toEqual(['/a', '/y', '/x'])
    expect(orderByList(['/b', '/a'], id, [])).toEqual(['/b', '/a'])
  })

  test('a path that repeats (one file in two projects) keeps its kind together, stably', () => {
    const items = [
      { p: '/b', project: 1 },
      { p: '/a', project: 1 },
      { p: '/b', project: 2 },
    ]
    expect(orderByList(items, (i) => i.p, ['/a', '/b', '/a']).map((i) => `${i.p}${i.project}`)).toEqual(['/a1', '/b1', '/b2'])
  })

  test('the order in an env var: a JSON array of strings, else nothing', () => {
    expect(parseOrder('["a","b"]')).toEqual(['a', 'b'])
    expect(parseOrder(undefined)).toBeUndefined()
    expect(parseOrder('a,b')).toBeUndefined()
    expect(parseOrder('[1]')).toBeUndefined()
  })
})

describe("the runners' sequencers", () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const k of [BASE_SEQUENCER_ENV, FILE_ORDER_ENV, FILE_ORDER_OUT_ENV]) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })

  test('Jest: the wrapped sequencer sorts, the listed files (relative to the working directory) run first, the order used is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isolated-seq-'))
    // A project sequencer that sorts by path, descending, and counts the perf-cache calls it gets.
    const base = join(dir, 'base.cjs')
    writeFileSync(base, `module.exports = class { constructor(o) { this.o = o } sort(t) { return [...t].sort((a, b) => (a.path < b.path ? 1 : -1)) } cacheResults() { globalThis.cached = (globalThis.cached ?? 0) + 1 } }`)
    const out = join(dir, 'order.json')
    process.env[BASE_SEQUENCER_ENV] = base
    process.env[FILE_ORDER_ENV] = JSON.stringify(['/p/a.test.js', 'b.test.js'])
    process.env[FILE_ORDER_OUT_ENV] = out
    const sequencer = new OrderedSequencer({})
    const tests = ['/p/a.test.js', '/p/z.test.js', join(process.cwd(), 'b.test.js')].map((path) => ({ path }))
    const sorted = (await sequencer.sort(tests)).map((t) => t.path)
    expect(sorted).toEqual(['/p/a.test.js', join(process.cwd(), 'b.test.js'), '/p/z.test.js'])
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(sorted)
    sequencer.cacheResults(tests, {})
    expect((globalThis as { cached?: number }).cached).toBe(1)
  })

  test("Jest: without a list, the project's order is kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isolated-seq-'))
    const base = join(dir, 'base.cjs')
    writeFileSync(base, `exports.default = class { sort(t) { return [...t].reverse() } }`)
    process.env[BASE_SEQUENCER_ENV] = base
    delete process.env[FILE_ORDER_ENV]
    delete process.env[FILE_ORDER_OUT_ENV]
    const sorted = await new OrderedSequencer().sort([{ path: '/a' }, { path: '/b' }])
    expect(sorted.map((t) => t.path)).toEqual(['/b', '/a'])
  })

  test("Vitest: the project's sequencer sorts, the list pins, the order used is written", async () => {
    class Base {
      constructor(readonly ctx: unknown) {}
      sort(files: { moduleId: string }[]): { moduleId: string }[] {
        return [...files].sort((a, b) => (a.moduleId < b.moduleId ? 1 : -1))
      }
    }
    const out = join(mkdtempSync(join(tmpdir(), 'isolated-seq-')), 'order.json')
    const Pinned = pinnedSequencer(Base, ['/b', '/a'], out)
    const files = ['/a', '/b', '/c'].map((moduleId) => ({ moduleId }))
    expect((await new Pinned({}).sort(files)).map((f) => f.moduleId)).toEqual(['/b', '/a', '/c'])
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(['/b', '/a', '/c'])
    // Recording only (the first run): the project's own order.
    expect((await new (pinnedSequencer(Base, [], null))({}).sort(files)).map((f) => f.moduleId)).toEqual(['/c', '/b', '/a'])
  })
})

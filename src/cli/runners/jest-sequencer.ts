// `--testSequencer` for runs across files (dist/jest-sequencer.cjs; polluter, issue 14). It wraps the
// project's sequencer (ISOLATED_TEST_BASE_SEQUENCER, else @jest/test-sequencer): that one sorts, then
// the files listed in ISOLATED_TEST_FILE_ORDER run first, in that order. With
// ISOLATED_TEST_FILE_ORDER_OUT it writes the order the run will use (in band, the run order). Every
// other duty (shard, failed tests, the perf cache) is the wrapped sequencer's.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { BASE_SEQUENCER_ENV, FILE_ORDER_ENV, FILE_ORDER_OUT_ENV, orderByList, parseOrder } from './file-order.js'

interface JestTest {
  readonly path: string
}
interface Sequencer {
  sort(tests: JestTest[]): JestTest[] | Promise<JestTest[]>
  shard?(tests: JestTest[], options: unknown): JestTest[] | Promise<JestTest[]>
  allFailedTests?(tests: JestTest[]): JestTest[] | Promise<JestTest[]>
  cacheResults?(tests: JestTest[], results: unknown): void
}
type SequencerClass = new (options?: unknown) => Sequencer

function baseSequencer(): SequencerClass {
  const require = createRequire(import.meta.url)
  const path = process.env[BASE_SEQUENCER_ENV] || require.resolve('@jest/test-sequencer', { paths: [process.cwd()] })
  const loaded = require(path) as SequencerClass | { default: SequencerClass }
  return 'default' in loaded ? loaded.default : loaded
}

export default class OrderedSequencer implements Sequencer {
  private readonly base: Sequencer

  constructor(options?: unknown) {
    const Base = baseSequencer()
    this.base = new Base(options)
  }

  async sort(tests: JestTest[]): Promise<JestTest[]> {
    const sorted = await this.base.sort(tests)
    const order = (parseOrder(process.env[FILE_ORDER_ENV]) ?? []).map((p) => resolve(p))
    const ordered = orderByList(sorted, (t) => t.path, order)
    const out = process.env[FILE_ORDER_OUT_ENV]
    if (out) writeFileSync(out, JSON.stringify(ordered.map((t) => t.path)))
    return ordered
  }

  shard(tests: JestTest[], options: unknown): JestTest[] | Promise<JestTest[]> {
    return this.base.shard ? this.base.shard(tests, options) : tests
  }

  allFailedTests(tests: JestTest[]): JestTest[] | Promise<JestTest[]> {
    return this.base.allFailedTests ? this.base.allFailedTests(tests) : tests
  }

  cacheResults(tests: JestTest[], results: unknown): void {
    this.base.cacheResults?.(tests, results)
  }
}

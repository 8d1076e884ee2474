// One test's limits under the environment. Our clock times each phase in the child (boot, every hook
// it runs, the body); Jest's timer for the test is pushed past all of them plus the kill window, so it
// never fires first. Without a `timeout` option the body's limit is the test's own Jest timeout.
import type { Site } from '../../../core/ipc/protocol.js'
import { killWindow, MAX_TIMEOUT, type Limits, type ResolvedOptions } from '../../../core/options.js'
import type { CircusState, Hook, TestEntry } from '../circus-types.js'
import { ancestors } from '../tests.js'

/** Time for the answer to cross and the child's streams to close after its last phase. */
const SETTLE_MS = 2000

export interface TestPlan {
  readonly options: ResolvedOptions
  readonly limits: Limits
  /** What Jest's own timer for the test is set to. */
  readonly jestTimeout: number
  readonly setting: string
  /** Each hook's limit in the child when the options set one (else the hook's Jest timeout). */
  readonly hookTimeout: number | undefined
  /** Where `isolated(...)` wrapped the body, when it did. */
  readonly site: Site | undefined
}

export function hooksRunInChild(test: TestEntry): Hook[] {
  return ancestors(test).flatMap((block) => block.hooks)
}

/**
 * `hookTimeout`: the hooks' limit from the options of the file (config, pragma); `isolated(ms)` on a
 * body sets that body's limit only, as under the Vitest plugin.
 */
export function planTest(test: TestEntry, state: CircusState, options: ResolvedOptions, site: Site | undefined, hookTimeout: number | undefined): TestPlan {
  const jestLimit = test.timeout || state.testTimeout
  const body = options.timeout ?? (jestLimit > 0 ? jestLimit : Infinity)
  let total = options.bootTimeout + body + killWindow(options) + SETTLE_MS
  if (options.hooks === 'child') {
    for (const hook of hooksRunInChild(test)) total += hook.timeout || hookTimeout || state.testTimeout
  }
  const setting =
    options.timeout === undefined
      ? `the test's Jest timeout (now ${body} ms: \`testTimeout\` in the Jest config, jest.setTimeout() or the test's own timeout argument), or \`timeout\` in testEnvironmentOptions.isolated`
      : `\`timeout\` (now ${body} ms) in testEnvironmentOptions.isolated, the @isolated-test pragma or isolated(ms) on the test`
  return {
    options,
    limits: { timeout: body, bootTimeout: options.bootTimeout },
    jestTimeout: Math.min(MAX_TIMEOUT, total),
    setting,
    hookTimeout,
    site,
  }
}

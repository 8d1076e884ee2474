// `isolated(ms, method)(fn)` on a test body under a plain Jest setup (any environment but ours). The
// body runs in a child with the file's hooks left in the parent; the child reads the project config
// with the running Jest's jest-config, so options given only on the command line are not seen there.
import { IsolatedConfigError } from '../errors.js'
import type { JestPayload, Site } from '../ipc/protocol.js'
import { fitLimits, type ResolvedOptions } from '../options.js'
import type { TestConsole } from './circus-types.js'
import { packageRoot } from './locate.js'
import type { JestTestContext } from './plain-state.js'
import { presentForJest } from './present-error.js'
import { runJestTest } from './run-test.js'
import { fullName, namePath, sameNames, testsInOrder } from './tests.js'

export interface PlainRun {
  readonly jest: JestTestContext
  readonly wrapper: unknown
  readonly options: ResolvedOptions
  readonly site: Site
}

const SETTING = "Jest's test timeout (`testTimeout` in the Jest config, jest.setTimeout() or the test's own timeout argument)"

export async function runInPlainJest(run: PlainRun): Promise<void> {
  try {
    await runBody(run)
  } catch (error) {
    throw presentForJest(error, run.jest.test.asyncError)
  }
}

/** The wrapper is the body, or test.each's row function called it. */
function calledAsBody({ jest, wrapper }: PlainRun): boolean {
  if (jest.test.fn === wrapper) return true
  const callers = jest.callStack.split('\n').slice(2, 6)
  return callers.some((line) => /[\\/]jest-each[\\/]/.test(line))
}

async function runBody(run: PlainRun): Promise<void> {
  const { jest, options, site } = run
  const { test, state, testPath } = jest
  if (!calledAsBody(run)) {
    throw new IsolatedConfigError(
      'isolated(): under Jest, a wrapped function must be the test body itself (`test(name, isolated(ms)(fn))`); calling one from inside a test is not supported yet. Set ISOLATED_TEST=off to run it in-process.',
    )
  }
  // Jest's timer for this test is already running and we cannot move it: refuse a limit it would cut.
  const limits = fitLimits(options, test.timeout || state.testTimeout, SETTING)
  if (typeof limits === 'string') throw new IsolatedConfigError(`isolated(): ${limits}`)
  const names = namePath(test)
  // Duplicate names are told apart by their order; the child checks the wrapper's site too.
  const occurrence = testsInOrder(state.rootDescribeBlock)
    .filter((t) => sameNames(namePath(t), names))
    .indexOf(test)
  const payload: JestPayload = {
    testPath,
    jestDirs: jestCandidates(jest.callStack),
    config: { kind: 'load', root: process.cwd() },
    environment: undefined,
    namePath: names,
    locate: 'occurrence',
    hookTimeout: undefined,
  }
  const errors = await runJestTest({
    options,
    limits,
    setting: `isolated(ms) / the \`timeout\` option (now ${limits.timeout} ms)`,
    target: { testId: String(occurrence), fullName: fullName(test), line: undefined, site },
    hooks: 'parent',
    payload,
    forkEnv: process.env,
    console: globalThis.console as unknown as TestConsole,
    signal: new AbortController().signal,
    definedAt: test.asyncError,
  })
  if (errors.length === 0) return
  for (const extra of errors.slice(1)) test.errors.push([extra, test.asyncError])
  throw errors[0]
}

/** Where the running Jest is: its jest-circus shows in our own call stack, then the project root. */
function jestCandidates(stack: string): string[] {
  const circusFile = /\(?((?:\/|[A-Za-z]:\\)[^():]*[\\/]jest-circus[\\/][^():]+):\d+:\d+\)?/.exec(stack)?.[1]
  const circusDir = circusFile ? packageRoot(circusFile, 'jest-circus') : undefined
  return [...(circusDir ? [circusDir] : []), process.cwd()]
}

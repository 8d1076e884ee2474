// The runner the plugin installs in every test worker. It extends Vitest's own, so everything else
// behaves as usual; for each isolated test it keeps the test's hooks out of this process and runs the
// whole test (hooks, fixtures, body) in a child through `runTask`.
import { readFileSync } from 'node:fs'
import { relative, sep } from 'node:path'
import { TestRunner, inject } from 'vitest'
import type { File, Suite, Task, Test } from '@vitest/runner'
import { mergeOptions, resolveOptions, validateOptions, type IsolatedOptions, type ResolvedOptions } from '../../../core/options.js'
import { readPragmas } from '../../../core/pragma.js'
import { killAllChildren } from '../../../core/parent/exit-guard.js'
import { shutdownZygotes } from '../../../core/parent/zygotes.js'
import { applyChildTask, logToTask, prestartZygote, requireVitest, runInVitestChild, settleOutcome } from './host.js'
import { fileSummary, judgeReport, stateRequest, writeRecord, type RunRecord } from '../../../core/parent/state-report.js'
import { unwrapHandler } from '../unwrap.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import { matchesAny } from './glob.js'
import { fullTestName } from '../names.js'
import { PROVIDE_KEY, type IsolatedTestsOptions } from './plugin-options.js'
import { wrapParentHooks } from './hooks.js'
import { serveVitestProbes } from './probe-server.js'
import { probeServerPath } from '../../../core/ipc/probe-server.js'

type Decision = { readonly kind: 'in-process' } | { readonly kind: 'isolated'; readonly options: ResolvedOptions } | { readonly kind: 'invalid'; readonly error: unknown }

function* testsOf(suite: Suite): Generator<Test> {
  for (const task of suite.tasks) {
    if (task.type === 'test') yield task
    else if (task.type === 'suite') yield* testsOf(task)
  }
}

export default class IsolatedTestsRunner extends TestRunner {
  private readonly decisions = new WeakMap<Task, Decision>()

  private decide(file: File): void {
    const plugin = (inject as unknown as (key: string) => IsolatedTestsOptions | undefined)(PROVIDE_KEY) ?? {}
    const { include, exclude, tags, ...base } = plugin
    const rel = relative(this.config.root, file.filepath).split(sep).join('/')
    const fileIncluded = (!include || matchesAny(rel, include)) && !(exclude && matchesAny(rel, exclude))
    let pragma: IsolatedOptions | undefined
    let pragmaError: unknown
    let warning: string | undefined
    try {
      const read = readPragmas(readFileSync(file.filepath, 'utf8'), rel)
      pragma = mergeOptions(...read.layers)
      warning = read.warning
    } catch (error) {
      pragmaError = error
    }
    // Once per file and run (a file is decided once, before its tests run); a warning never fails a test.
    if (warning) {
      try {
        logToTask(requireVitest(), file.id, warning)
      } catch {
        // no channel to the reporter: nothing to warn through
      }
    }
    for (const test of testsOf(file)) {
      const meta = (test.meta as { isolated?: unknown } | undefined)?.isolated
      if (pragmaError) {
        this.decisions.set(test, { kind: 'invalid', error: pragmaError })
        continue
      }
      if (meta === false) {
        this.decisions.set(test, { kind: 'in-process' })
        continue
      }
      const tagged = !tags || ((test as { tags?: string[] }).tags ?? []).some((t) => tags.includes(t))
      if (meta === undefined && !(fileIncluded && tagged)) {
        this.decisions.set(test, { kind: 'in-process' })
        continue
      }
      try {
        const own = meta === true ? undefined : validateOptions(meta, `test "${fullTestName(test)}": meta.isolated`)
        this.decisions.set(test, { kind: 'isolated', options: resolveOptions(mergeOptions(base, pragma, own)) })
      } catch (error) {
        this.decisions.set(test, { kind: 'invalid', error })
      }
    }
  }

  /**
   * With the fork server, the file's zygote boots while this worker collects the file itself, with the
   * options the file's tests get unless a test sets its own (the plugin's, then the file's pragma).
   */
  override onCollectStart(file: File): void {
    super.onCollectStart?.(file)
    const { include, exclude, tags: _tags, ...base } = (inject as unknown as (key: string) => IsolatedTestsOptions | undefined)(PROVIDE_KEY) ?? {}
    const rel = relative(this.config.root, file.filepath).split(sep).join('/')
    if ((include && !matchesAny(rel, include)) || (exclude && matchesAny(rel, exclude))) return
    try {
      const options = resolveOptions(mergeOptions(base, ...readPragmas(readFileSync(file.filepath, 'utf8'), rel).layers))
      prestartZygote(requireVitest(), options, file.filepath, file.id)
    } catch {
      // a bad pragma is reported with the tests
    }
  }

  /** Tests whose hooks run in their child, not here. */
  private hooksInChild = (test: Task | undefined): boolean => {
    const d = test ? this.decisions.get(test) : undefined
    return d?.kind === 'isolated' && d.options.hooks === 'child'
  }

  override onBeforeRunSuite(suite: Suite): Promise<void> {
    if ('filepath' in suite) {
      this.decide(suite as File)
      wrapParentHooks(suite, this.hooksInChild)
    }
    return super.onBeforeRunSuite(suite)
  }

  runTask(test: Test): Promise<unknown> {
    const d = this.decisions.get(test)
    if (d?.kind === 'invalid') return Promise.reject(d.error)
    if (d?.kind !== 'isolated') return Promise.resolve((TestRunner as unknown as { getTestFn(t: Test): () => unknown }).getTestFn(test)())
    return this.runIsolated(test, d.options)
  }

  /** Isolated tests per file whose state differed across the boundary, for one summary line per file. */
  private readonly differed = new Map<string, number>()

  private async runIsolated(test: Test, options: ResolvedOptions): Promise<void> {
    const state = requireVitest()
    const timeout = options.timeout ?? (test.timeout > 0 ? test.timeout : Infinity)
    const hookLimit = this.config.hookTimeout > 0 ? this.config.hookTimeout : Infinity
    const unhandled: unknown[] = []
    const location = test.location
    const file = test.file.filepath
    // With hooks in the parent, its beforeEach ran here: the body's captured variables are what fork carries.
    const needsBody = options.hooks === 'parent' || options.leaks === 'error'
    const body = needsBody ? unwrapHandler((TestRunner as unknown as { getTestFn(t: Test): AnyFunction }).getTestFn(test)) : undefined
    const record: RunRecord = {}
    let error: unknown
    let skipped = false
    try {
      const { result, report } = await runInVitestChild(state, {
        options,
        limits: { timeout, bootTimeout: options.bootTimeout },
        target: { kind: 'test', test: { testId: test.id, fullName: fullTestName(test), line: location?.line, site: undefined, attempt: test.result?.retryCount ?? 0 } },
        hooks: options.hooks,
        context: {},
        taskId: test.id,
        fileTaskId: test.file.id,
        filepath: file,
        signal: test.context.signal,
        unhandled,
        hookLimit,
        origin: location ? { file, line: location.line, column: location.column } : undefined,
        state: stateRequest(options, options.hooks === 'parent' ? body : undefined, file),
        record,
        describeLimit: (phase, limit) =>
          phase !== 'body'
            ? `Vitest's \`hookTimeout\` (${limit} ms)`
            : options.timeout !== undefined
              ? `the isolated \`timeout\` option (${limit} ms, from the plugin, an @isolated-test pragma or meta.isolated)`
              : `the test's Vitest timeout (${limit} ms: its own timeout or \`testTimeout\`)`,
      })
      const failed = result.kind === 'test' && (result.outcome.state === 'fail' || unhandled.length > 0)
      const verdict = judgeReport(report, options, failed, file, body, location ? { file, line: location.line, column: location.column } : undefined)
      if (verdict.summary) this.differed.set(file, (this.differed.get(file) ?? 0) + 1)
      skipped = result.kind === 'test' && result.outcome.state === 'skip'
      applyChildTask(result, test)
      settleOutcome(result, verdict.error ? [...unhandled, verdict.error] : unhandled, test.context.skip as (note?: string) => never)
    } catch (e) {
      error = e
      throw e
    } finally {
      writeRecord({ options, file, fullName: fullTestName(test), limit: timeout, record, error, skipped })
    }
  }

  /** One line per file that had isolated tests whose state differed (leaks: 'warn'). */
  override onAfterRunSuite(suite: Suite): Promise<void> {
    const count = 'filepath' in suite ? this.differed.get((suite as File).filepath) : undefined
    if (count) {
      logToTask(requireVitest(), suite.id, fileSummary(count))
      this.differed.delete((suite as File).filepath)
    }
    return super.onAfterRunSuite(suite)
  }

  /** Under `isolated-test polluter`'s probe server: this worker serves the CLI's probes, then runs nothing. */
  async onBeforeRunFiles(files: File[]): Promise<void> {
    const path = probeServerPath()
    if (path && files.length === 1) await serveVitestProbes(path, this.config.root, files[0]!)
  }

  /** The worker is done with its files: their zygotes go. */
  override onAfterRunFiles(): void {
    shutdownZygotes()
    super.onAfterRunFiles()
  }

  /** Ctrl-C, --bail or a watch-mode rerun: every child goes at once. */
  override cancel(reason: Parameters<TestRunner['cancel']>[0]): void {
    killAllChildren()
    super.cancel(reason)
  }
}

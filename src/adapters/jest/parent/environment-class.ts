// The isolating environment, built on the running Jest's own TestEnvironment. Every test of the file
// runs in its own child: its body is swapped for a wrapper that starts the child, and (with
// `hooks: 'child'`) its hooks are swapped for no-ops here because the child runs them with the test.
import { readFileSync } from 'node:fs'
import type { JestPayload } from '../protocol.js'
import { mergeOptions, resolveOptions, type IsolatedOptions, type ResolvedOptions } from '../../../core/options.js'
import { isInProcess, wrapperMeta } from '../../../core/markers.js'
import { isOff } from '../../../core/off.js'
import type {
  CircusEvent,
  CircusState,
  EnvironmentConfig,
  EnvironmentContext,
  GlobalConfig,
  Hook,
  JestEnvironmentClass,
  ProjectConfig,
  TestConsole,
  TestEntry,
} from '../circus-types.js'
import { fileOptions, withoutOurOptions } from './env-options.js'
import { planTest, type TestPlan } from './plan.js'
import { ENVIRONMENT_MARK } from './plain-state.js'
import { prestartJestZygote, runJestTest, testFailures } from './run-test.js'
import { SnapshotReplay } from './snapshot-replay.js'
import { serveJestProbes } from './probe-server.js'
import { probeServerPath } from '../../../core/ipc/probe-server.js'
import { shutdownZygotes } from '../../../core/parent/zygotes.js'
import { fileSummary } from '../../../core/parent/state-report.js'
import type { AnyFunction } from '../../../core/state/closure.js'
import { fullName, namePath, testsInOrder } from '../tests.js'

const noop = (): void => {}

/** JSON-safe copy: configs cross to the child, and user config may hold functions. */
function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

export function createIsolatingEnvironment(Base: JestEnvironmentClass, runnerDir: string): JestEnvironmentClass {
  return class IsolatedTestEnvironment extends Base {
    private readonly options: IsolatedOptions
    private readonly testPath: string
    private readonly testConsole: TestConsole
    private readonly projectConfig: ProjectConfig
    private readonly globalConfig: GlobalConfig
    /** The file's part of every child's payload (what its zygote starts with). */
    private readonly filePayload: JestPayload
    private readonly order = new Map<TestEntry, number>()
    /** Each test's options, or undefined for a test kept in-process. */
    private readonly plans = new Map<TestEntry, ResolvedOptions | undefined>()
    /** Wrapped once: retries reuse the entry, and Jest 29 replaces a concurrent test's fn after we wrapped it. */
    private readonly wrapped = new WeakSet<TestEntry>()
    private readonly swappedHooks = new Map<Hook, Hook['fn']>()
    private readonly running = new Map<TestEntry, { controller: AbortController; done: Promise<unknown> }>()
    private readonly extraErrors = new Map<TestEntry, unknown[]>()
    /** Tests of this file that passed with state differing across the boundary (leaks: 'warn'). */
    private differed = 0
    private tornDown = false

    constructor(config: EnvironmentConfig, context: EnvironmentContext) {
      const projectConfig = withoutOurOptions(config.projectConfig)
      super({ ...config, projectConfig }, context)
      const { options, warning } = fileOptions(config.projectConfig.testEnvironmentOptions ?? {}, config.projectConfig.rootDir, readFileSync(context.testPath, 'utf8'), context.testPath)
      this.options = options
      // Fail a bad option now, with the file, not later in every test.
      const resolved = resolveOptions(this.options)
      this.testPath = context.testPath
      this.testConsole = context.console
      // Once per file and run (Jest makes one environment per test file); a warning never fails the file.
      if (warning) {
        try {
          this.testConsole.warn('%s', warning)
        } catch {
          // a console that cannot print: nothing to warn through
        }
      }
      this.projectConfig = jsonCopy(projectConfig)
      this.globalConfig = jsonCopy(config.globalConfig)
      // isolated() in the test code leaves the file's summary line to us.
      this.global[ENVIRONMENT_MARK] = true
      this.filePayload = { testPath: this.testPath, jestDirs: [runnerDir], config: { kind: 'given', projectConfig: this.projectConfig, globalConfig: this.globalConfig }, environment: resolved.environment, namePath: [], locate: 'index', hookTimeout: resolved.timeout }
      // With the fork server, the file's zygote boots while Jest loads the file here.
      if (!isOff()) prestartJestZygote({ options: resolved, console: this.testConsole, hooks: resolved.hooks, payload: this.filePayload })
    }

    override handleTestEvent(event: CircusEvent, state: CircusState): Promise<void> | void {
      switch (event.name) {
        case 'run_start': {
          // Under `isolated-test polluter`: this file serves its probes, then runs none of its tests.
          const probes = isOff() ? undefined : probeServerPath()
          if (probes) return serveJestProbes(probes, { testPath: this.testPath, options: this.options, payload: this.filePayload, global: this.global, console: this.testConsole }, state)
          this.planAll(state)
          break
        }
        case 'run_finish':
          // The last point where the file's console still prints (it is frozen before teardown).
          if (this.differed > 0) this.testConsole.warn('%s', fileSummary(this.differed))
          this.differed = 0
          break
        case 'test_fn_start':
          if ('test' in event) this.wrap(event.test, state)
          break
        case 'hook_start':
          if ('hook' in event) this.maybeSwapHook(event.hook, state)
          break
        case 'hook_success':
        case 'hook_failure':
          if ('hook' in event) this.restoreHook(event.hook)
          break
        case 'test_done':
          // Jest gave up on the test (its own timer, an interrupt): end the child too.
          if ('test' in event) this.running.get(event.test)?.controller.abort(new Error('isolated-test: Jest finished the test before its child answered.'))
          if ('test' in event) {
            for (const extra of this.extraErrors.get(event.test) ?? []) event.test.errors.push([extra, event.test.asyncError])
            this.extraErrors.delete(event.test)
          }
          break
      }
    }

    private planAll(state: CircusState): void {
      if (isOff()) return
      const tests = testsInOrder(state.rootDescribeBlock)
      tests.forEach((test, index) => {
        this.order.set(test, index)
        if (isInProcess(test.fn)) {
          this.plans.set(test, undefined)
          return
        }
        const meta = wrapperMeta(test.fn)
        this.plans.set(test, resolveOptions(mergeOptions(this.options, meta?.options)))
      })
      // Jest 29 starts concurrent bodies before their test_fn_start: they must be wrapped now.
      for (const test of tests) if (test.concurrent) this.wrap(test, state)
    }

    private wrap(test: TestEntry, state: CircusState): void {
      const options = this.plans.get(test)
      if (!options || this.wrapped.has(test)) return
      this.wrapped.add(test)
      const meta = wrapperMeta(test.fn)
      const plan = planTest(test, state, options, meta?.site, meta ? resolveOptions(this.options).timeout : options.timeout)
      // Jest's own timer must never fire before ours.
      test.timeout = plan.jestTimeout
      const body = (wrapperMeta(test.fn)?.fn ?? test.fn) as AnyFunction
      const env = this
      const wrapper = function isolatedTest(): Promise<void> {
        return env.run(test, plan, body, state)
      }
      test.fn = wrapper
    }

    private async run(test: TestEntry, plan: TestPlan, body: AnyFunction, circus: CircusState): Promise<void> {
      const controller = new AbortController()
      const payload: JestPayload = {
        testPath: this.testPath,
        jestDirs: [runnerDir],
        config: { kind: 'given', projectConfig: this.projectConfig, globalConfig: this.globalConfig },
        environment: plan.options.environment,
        namePath: namePath(test),
        locate: 'index',
        hookTimeout: plan.hookTimeout,
      }
      const done = runJestTest(
        {
          options: plan.options,
          limits: plan.limits,
          setting: plan.setting,
          hooks: plan.options.hooks,
          payload,
          forkEnv: (this.global.process as NodeJS.Process | undefined)?.env ?? process.env,
          global: this.global,
          console: this.testConsole,
          signal: controller.signal,
          definedAt: test.asyncError,
          fullName: fullName(test),
          body,
          bodyFile: plan.site?.file ?? this.testPath,
          seed: circus.seed,
          snapshots: new SnapshotReplay(this.global, test),
        },
        { testId: String(this.order.get(test) ?? -1), fullName: fullName(test), line: undefined, site: plan.site },
      )
      this.running.set(test, { controller, done: done.catch(noop) })
      try {
        const answer = await done
        if (answer.summary) this.differed++
        const errors = testFailures(answer, test.failing)
        if (errors.length === 0) return
        // Circus records the thrown error; the others (an afterEach that failed too) follow it at test_done.
        if (errors.length > 1) this.extraErrors.set(test, errors.slice(1))
        throw errors[0]
      } finally {
        this.running.delete(test)
      }
    }

    private maybeSwapHook(hook: Hook, state: CircusState): void {
      if (this.plans.size === 0) return
      const inChild =
        hook.type === 'beforeEach' || hook.type === 'afterEach'
          ? this.hooksInChild(state.currentlyRunningTest)
          : testsInOrder(hook.parent).every((t) => t.mode === 'skip' || t.mode === 'todo' || this.hooksInChild(t))
      if (!inChild) return
      this.swappedHooks.set(hook, hook.fn)
      hook.fn = noop
    }

    private hooksInChild(test: TestEntry | null): boolean {
      const options = test ? this.plans.get(test) : undefined
      return options !== undefined && options.hooks === 'child'
    }

    private restoreHook(hook: Hook): void {
      const fn = this.swappedHooks.get(hook)
      if (fn === undefined) return
      hook.fn = fn
      this.swappedHooks.delete(hook)
    }

    override async teardown(): Promise<void> {
      if (!this.tornDown) {
        this.tornDown = true
        const running = [...this.running.values()]
        for (const r of running) r.controller.abort(new Error('isolated-test: the test environment was torn down.'))
        // No child of ours outlives the file, nor does its zygote.
        await Promise.all(running.map((r) => r.done))
        shutdownZygotes((key) => key.startsWith(`[${JSON.stringify(this.testPath)},`))
      }
      await super.teardown()
    }
  } as unknown as JestEnvironmentClass
}


// Runs one Jest test in this child with the running Jest's own machinery, the way jest-runner runs a
// file in a worker: the module map and resolver, the transformer (babel-jest, ts-jest: whatever the
// project configures, sharing its cache), the environment, a Runtime, setupFiles, then jest-circus with
// setupFilesAfterEnv and the file. Only the target test is enabled (see jest/select-target.ts).
import { trace } from '../../../core/trace.js'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, join } from 'node:path'
import { IsolatedConfigError } from '../../../core/errors.js'
import { TAG, CHILD_STATE } from '../../../core/ipc/protocol.js'
import { type JestPrepare, type JestRunRequest } from '../protocol.js'
import { serializeThrown } from '../../../core/ipc/serialize.js'
import type { EnvironmentContext, JestEnvironment, JestEnvironmentClass, ProjectConfig } from '../circus-types.js'
import { collectSandboxCoverage, collectV8RuntimeCoverage, type V8Runtime } from './coverage.js'
import { createChildConsole } from './child-console.js'
import { childConfigs } from './config.js'
import { loadJestPackages, type JestPackages, type ModuleMap, type TestFramework } from './load-jest.js'
import { TargetSelector } from './select-target.js'
import { asFrameworkCode, tuneForUserCode } from '../../../core/native/zygote-tuning.js'
import { installSourceMaps } from './source-maps.js'
import type { ChildState } from '../../../core/child/state.js'
import { allowFrameworkResources, markResourceBaseline } from '../../../core/child/resources.js'

const interop = <T>(m: unknown): T => ((m as { __esModule?: boolean; default?: unknown })?.__esModule ? (m as { default: T }).default : (m as T))

async function moduleMap(jest: JestPackages, config: ProjectConfig, watch: boolean, watchman: unknown): Promise<ModuleMap> {
  // The main Jest process persisted its haste map: read it rather than crawl the project again.
  const hasteMap = await jest.Runtime.createHasteMap(config, { maxWorkers: 1, resetCache: false, watch, watchman })
  try {
    return hasteMap.readModuleMap()
  } catch {
    return (await hasteMap.build()).moduleMap
  }
}

/** The environment module to load, or undefined for the running Jest's own jest-environment-node. */
function environmentPath(jest: JestPackages, payload: JestPrepare, config: ProjectConfig, pragmas: Record<string, string | string[]>): string | undefined {
  // Under our environment the child runs the one we wrap; under a plain setup, the file's own.
  let name = payload.environment
  if (payload.config.kind === 'load') {
    const docblock = pragmas['jest-environment']
    name = typeof docblock === 'string' ? docblock : config.testEnvironment
  }
  if (name === undefined || name === 'node') return undefined
  if (isAbsolute(name)) return name
  // Resolved as Jest resolves `testEnvironment`: jest-environment-<name>, then <name>, from rootDir.
  try {
    return jest.resolveTestEnvironment({ ...config, testEnvironment: name, requireResolveFunction: (m: string) => jest.require.resolve(m) })
  } catch (error) {
    // Jest's message names `testEnvironment`, which is ours here: the typo is in our option.
    if (payload.config.kind === 'load') throw error
    throw new IsolatedConfigError(
      `isolated-test/jest: the \`environment\` option (testEnvironmentOptions.isolated.environment, or the file's @isolated-test pragma) is ${JSON.stringify(name)}, and no test environment of that name is installed: ` +
        `Jest looked for jest-environment-${name} and ${name} from ${String(config.rootDir)}. Use 'node', 'jsdom' (with jest-environment-jsdom installed) or a path to an environment module.`,
    )
  }
}

interface PreparedJest {
  readonly jest: JestPackages
  readonly config: ProjectConfig
  readonly globalConfig: Awaited<ReturnType<typeof childConfigs>>['globalConfig']
  readonly resolver: ReturnType<JestPackages['Runtime']['createResolver']>
  readonly testSource: string
  readonly docblockPragmas: Record<string, string | string[]>
  readonly cacheFS: Map<string, string>
  readonly transformer: Awaited<ReturnType<JestPackages['createScriptTransformer']>>
  readonly Environment: JestEnvironmentClass
  readonly testFramework: TestFramework
}

let preparing: Promise<PreparedJest> | undefined

/**
 * Everything up to evaluating the test file, as jest-runner does before it: Jest's packages, the
 * configs, the module map and resolver, the transformer, the environment class and jest-circus. No test
 * code runs, so a spare child does this while the previous test runs. Once per process.
 */
export function prepareJest(payload: JestPrepare): Promise<PreparedJest> {
  preparing ??= boot(payload)
  return preparing
}

async function boot(payload: JestPrepare): Promise<PreparedJest> {
  trace('c.jest.boot')
  const jest = loadJestPackages(payload.jestDirs, payload.config.kind === 'load')
  trace('c.jest.loaded')
  const { projectConfig: config, globalConfig } = await childConfigs(payload, jest)
  const testPath = payload.testPath

  const map = await moduleMap(jest, config, Boolean(globalConfig.watch || globalConfig.watchAll), globalConfig.watchman)
  await jest.preloadResolver?.(config.resolver as string | undefined)
  const resolver = jest.Runtime.createResolver(config, map)
  trace('c.jest.resolver')

  const testSource = readFileSync(testPath, 'utf8')
  const docblockPragmas = jest.parseDocblock(testSource)
  const cacheFS = new Map([[testPath, testSource]])
  const transformer = await jest.createScriptTransformer(config, cacheFS)
  const envPath = environmentPath(jest, payload, config, docblockPragmas)
  const Environment = envPath ? interop<JestEnvironmentClass>(await transformer.requireAndTranspileModule(envPath)) : jest.NodeEnvironment
  const testFramework = interop<TestFramework>(await transformer.requireAndTranspileModule(config.testRunner))
  trace('c.jest.prepared')
  return { jest, config, globalConfig, resolver, testSource, docblockPragmas, cacheFS, transformer, Environment, testFramework }
}

export async function runJest(request: JestRunRequest, state: ChildState): Promise<void> {
  const { jest, config, globalConfig, resolver, docblockPragmas, cacheFS, transformer, Environment, testFramework } = await prepareJest(request.payload)
  const testPath = request.payload.testPath

  const testConsole = createChildConsole(jest.CustomConsole, state.link)
  const context: EnvironmentContext = { console: testConsole, docblockPragmas, testPath }
  const environment: JestEnvironment = new Environment({ globalConfig, projectConfig: config }, context)
  const selector = new TargetSelector(request, state, environment.global)
  const own = environment.handleTestEvent?.bind(environment)
  // jest-circus registers the environment's handler when it starts: keep one the environment has.
  environment.handleTestEvent = async (event, circus) => {
    await own?.(event, circus)
    await selector.handleTestEvent(event, circus)
  }
  jest.setGlobal(environment.global, 'console', testConsole, 'retain')
  // isolated() wrappers made while the file loads register here (the vm context has its own global).
  environment.global[CHILD_STATE] = state
  if (request.payload.coverage === 'babel') collectSandboxCoverage(environment.global)

  const runtime = new jest.Runtime(
    config,
    environment,
    resolver,
    transformer,
    cacheFS,
    {
      changedFiles: undefined,
      // With coverage on, the child transforms (babel: instruments) what it loads as the worker does.
      collectCoverage: request.payload.coverage !== undefined,
      collectCoverageFrom: request.payload.coverage ? ((globalConfig as { collectCoverageFrom?: string[] }).collectCoverageFrom ?? []) : [],
      coverageProvider: request.payload.coverage ?? globalConfig.coverageProvider,
      globalRootDir: globalConfig.rootDir,
      sourcesRelatedToTestsInChangedFiles: undefined,
    },
    testPath,
    globalConfig,
  )
  // Jest is ready and no code of the user's has run: what is open now is not theirs (while a hook or
  // the test runs, circus keeps one timer of its own for it), and a zygote compiles lazily from here.
  markResourceBaseline()
  tuneForUserCode()
  // circus's own modules load into the sandbox once the test framework starts: as framework code.
  const requireInternal = runtime.requireInternalModule.bind(runtime)
  runtime.requireInternalModule = (from, to) => asFrameworkCode(() => requireInternal(from, to))
  allowFrameworkResources({ Timeout: 1 })
  const finishV8 = request.payload.coverage === 'v8' ? await collectV8RuntimeCoverage(runtime as unknown as V8Runtime) : undefined
  try {
    for (const file of config.setupFiles) {
      if (runtime.unstable_shouldLoadAsEsm(file)) await runtime.unstable_importModule(file)
      else {
        const setupFile = runtime.requireModule(file)
        if (typeof setupFile === 'function') await (setupFile as () => unknown)()
      }
    }
    // `setup` is a path resolved by the parent, or a package name resolved from the project.
    if (request.setup) runtime.requireModule(isAbsolute(request.setup) ? request.setup : createRequire(join(config.rootDir, 'package.json')).resolve(request.setup))
    installSourceMaps(jest.require, runtime)
    Error.stackTraceLimit = 100
    await environment.setup()
    trace('c.jest.framework')
    const results = await testFramework(globalConfig, config, environment, runtime, testPath, () => {})
    await finishV8?.()
    report(state, selector, results.testExecError)
  } finally {
    runtime.teardown()
    await environment.teardown()
  }
}

function report(state: ChildState, selector: TargetSelector, execError: { message: string; stack?: string } | undefined): void {
  if (state.resultSent) return
  state.resultSent = true
  // The result carries the state report (see entry.ts): take the closing snapshot first.
  selector.finishState()
  if (selector.mismatch) {
    state.send({ [TAG]: true, kind: 'fatal', error: serializeThrown(selector.mismatch) })
    return
  }
  if (!selector.ran) {
    const error = new Error(
      execError
        ? `isolated-test: the test file failed in the child before the test ran:\n${execError.message}`
        : 'isolated-test: the test file ran in the child but the test never ran (it was filtered out, or a beforeAll failed).',
    )
    if (execError?.stack) error.stack = `${error.message}\n${execError.stack}`
    state.send({ [TAG]: true, kind: 'fatal', error: serializeThrown(error) })
    return
  }
  const errors = selector.errors
  state.send({ [TAG]: true, kind: 'result', result: { kind: 'test', outcome: { state: errors.length > 0 ? 'fail' : 'pass', errors, note: undefined, assertions: 0 } } })
}

// The running Jest's own packages, loaded from its jest-runner, typed as far as the child uses them.
// Jest 29 and 30 differ in a few places (marked); everything else is the same API.
import { findJestDirs, jestRequireFrom, type JestRequire } from '../locate.js'
import type { JestEnvironmentClass, ProjectConfig, GlobalConfig, TestConsole } from '../circus-types.js'

export interface ModuleMap {
  readonly __moduleMap?: never
}
export interface HasteMap {
  readModuleMap(): ModuleMap
  build(): Promise<{ moduleMap: ModuleMap }>
}
export interface ScriptTransformer {
  requireAndTranspileModule<T>(path: string): Promise<T>
}
export interface Runtime {
  requireModule(path: string): unknown
  requireInternalModule(from: string, to?: string): unknown
  unstable_shouldLoadAsEsm(path: string): boolean
  unstable_importModule(path: string): Promise<unknown>
  getSourceMaps(): Map<string, string>
  teardown(): void
}
export interface RuntimeClass {
  new (
    config: ProjectConfig,
    environment: unknown,
    resolver: unknown,
    transformer: ScriptTransformer,
    cacheFS: Map<string, string>,
    options: Record<string, unknown>,
    testPath: string,
    globalConfig: GlobalConfig,
  ): Runtime
  createHasteMap(config: ProjectConfig, options: Record<string, unknown>): Promise<HasteMap> | HasteMap
  createResolver(config: ProjectConfig, moduleMap: ModuleMap): unknown
}
export interface TestResults {
  testExecError?: { message: string; stack?: string }
}
export type TestFramework = (
  globalConfig: GlobalConfig,
  config: ProjectConfig,
  environment: unknown,
  runtime: Runtime,
  testPath: string,
  sendMessageToJest?: () => void,
) => Promise<TestResults>

export type CustomConsoleClass = new (stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => TestConsole

export interface JestPackages {
  readonly require: JestRequire & { resolve(name: string): string }
  readonly Runtime: RuntimeClass
  readonly createScriptTransformer: (config: ProjectConfig, cacheFS: Map<string, string>) => Promise<ScriptTransformer>
  readonly NodeEnvironment: JestEnvironmentClass
  readonly resolveTestEnvironment: (options: Record<string, unknown>) => string
  /** Jest 30 only. */
  readonly preloadResolver: ((resolverPath: string | null | undefined) => Promise<void>) | undefined
  readonly CustomConsole: CustomConsoleClass
  readonly setGlobal: (global: object, key: string, value: unknown, mode?: string) => void
  readonly parseDocblock: (source: string) => Record<string, string | string[]>
}

const interop = <T>(m: unknown): T => ((m as { __esModule?: boolean; default?: unknown })?.__esModule ? (m as { default: T }).default : (m as T))

export function loadJestPackages(dirs: readonly string[], plain: boolean): JestPackages {
  const req = jestRequireFrom(plain ? findJestDirs(dirs) : dirs)
  const transform = req('@jest/transform') as Pick<JestPackages, 'createScriptTransformer'>
  const resolve = req('jest-resolve') as { resolveTestEnvironment: JestPackages['resolveTestEnvironment']; preloadResolver?: JestPackages['preloadResolver'] }
  const util = req('jest-util') as { setGlobal: JestPackages['setGlobal'] }
  const docblock = req('jest-docblock') as { parse(s: string): Record<string, string | string[]>; extract(s: string): string }
  return {
    require: req,
    Runtime: interop<RuntimeClass>(req('jest-runtime')),
    createScriptTransformer: transform.createScriptTransformer,
    NodeEnvironment: (req('jest-environment-node') as { TestEnvironment: JestEnvironmentClass }).TestEnvironment,
    resolveTestEnvironment: resolve.resolveTestEnvironment,
    preloadResolver: resolve.preloadResolver,
    CustomConsole: (req('@jest/console') as { CustomConsole: CustomConsoleClass }).CustomConsole,
    setGlobal: util.setGlobal,
    parseDocblock: (source) => docblock.parse(docblock.extract(source)),
  }
}

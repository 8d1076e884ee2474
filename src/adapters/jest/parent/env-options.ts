// The environment's options, in layers: `testEnvironmentOptions.isolated` from the Jest config, then
// the file's `@isolated-test {...}` pragmas (core/pragma.ts), then `isolated(...)` on a test body.
// Later layers win; `env` merges key by key. Jest's own `@jest-environment-options` replaces the
// whole `isolated` key instead.
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { mergeOptions, validateOptions, type IsolatedOptions } from '../../../core/options.js'
import { readPragmas } from '../../../core/pragma.js'

export const OPTIONS_KEY = 'isolated'

/** A `setup` module is relative to the file that names it. */
function withSetupFrom(options: IsolatedOptions, baseDir: string): IsolatedOptions {
  if (options.setup === undefined || isAbsolute(options.setup) || !options.setup.startsWith('.')) return options
  return { ...options, setup: resolve(baseDir, options.setup) }
}

/** The file's options, and the warning about a pragma-like comment that is not used. */
export function fileOptions(
  testEnvironmentOptions: Readonly<Record<string, unknown>>,
  rootDir: string,
  source: string,
  testPath: string,
): { readonly options: IsolatedOptions; readonly warning: string | undefined } {
  const fromConfig = withSetupFrom(validateOptions(testEnvironmentOptions[OPTIONS_KEY], `testEnvironmentOptions.${OPTIONS_KEY}`), rootDir)
  // Read from the source, not Jest's docblock pragmas: Jest reads only the file's first comment.
  const { layers, warning } = readPragmas(source, relative(rootDir, testPath) || testPath)
  return { options: mergeOptions(fromConfig, ...layers.map((layer) => withSetupFrom(layer, dirname(testPath)))), warning }
}

/** The config with our key taken out: Jest copies `testEnvironmentOptions` onto the test's global. */
export function withoutOurOptions<T extends { readonly testEnvironmentOptions: Readonly<Record<string, unknown>> }>(projectConfig: T): T {
  if (!(OPTIONS_KEY in (projectConfig.testEnvironmentOptions ?? {}))) return projectConfig
  const { [OPTIONS_KEY]: _ours, ...rest } = projectConfig.testEnvironmentOptions
  return { ...projectConfig, testEnvironmentOptions: rest }
}

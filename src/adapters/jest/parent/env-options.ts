// The environment's options, in layers: `testEnvironmentOptions.isolated` from the Jest config, then
// the file's `@isolated-test {...}` pragmas, then `isolated(...)` on a test body. Later layers win; `env`
// merges key by key. Jest's own `@jest-environment-options` replaces the whole `isolated` key instead.
import { dirname, isAbsolute, resolve } from 'node:path'
import { IsolatedConfigError } from '../../../core/errors.js'
import { mergeOptions, validateOptions, type IsolatedOptions } from '../../../core/options.js'

export const OPTIONS_KEY = 'isolated'
export const PRAGMA = 'isolated-test'

/** A `setup` module is relative to the file that names it. */
function withSetupFrom(options: IsolatedOptions, baseDir: string): IsolatedOptions {
  if (options.setup === undefined || isAbsolute(options.setup) || !options.setup.startsWith('.')) return options
  return { ...options, setup: resolve(baseDir, options.setup) }
}

export function fileOptions(
  testEnvironmentOptions: Readonly<Record<string, unknown>>,
  rootDir: string,
  docblockPragmas: Readonly<Record<string, string | readonly string[]>>,
  testPath: string,
): IsolatedOptions {
  const fromConfig = withSetupFrom(validateOptions(testEnvironmentOptions[OPTIONS_KEY], `testEnvironmentOptions.${OPTIONS_KEY}`), rootDir)
  const raw = docblockPragmas[PRAGMA]
  const pragmas = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw]
  const layers = pragmas.map((text) => {
    const where = `the @${PRAGMA} pragma in ${testPath}`
    let parsed: unknown
    try {
      parsed = JSON.parse(text.trim() === '' ? '{}' : text)
    } catch (error) {
      throw new IsolatedConfigError(`${where} is not JSON: ${(error as Error).message}. Write it as /** @${PRAGMA} {"timeout": 200} */.`)
    }
    return withSetupFrom(validateOptions(parsed, where), dirname(testPath))
  })
  return mergeOptions(fromConfig, ...layers)
}

/** The config with our key taken out: Jest copies `testEnvironmentOptions` onto the test's global. */
export function withoutOurOptions<T extends { readonly testEnvironmentOptions: Readonly<Record<string, unknown>> }>(projectConfig: T): T {
  if (!(OPTIONS_KEY in (projectConfig.testEnvironmentOptions ?? {}))) return projectConfig
  const { [OPTIONS_KEY]: _ours, ...rest } = projectConfig.testEnvironmentOptions
  return { ...projectConfig, testEnvironmentOptions: rest }
}

// The plugin's options: the shared table plus which files and tests it applies to. Passed from the
// config (main process) to the runner (test workers) through Vitest's `provide`.
import { resolve } from 'node:path'
import { validateOptions, type IsolatedOptions } from '../../../core/options.js'

export interface IsolatedTestsOptions extends IsolatedOptions {
  /** Globs of test files (relative to the project root) whose tests run isolated. @default all */
  readonly include?: readonly string[]
  /** Globs of test files that stay in-process. */
  readonly exclude?: readonly string[]
  /** Vitest 4.1 test tags: when set, only tests with one of these tags run isolated. */
  readonly tags?: readonly string[]
}

export const PROVIDE_KEY = 'isolatedTest:options'

function checkGlobs(name: string, value: unknown): void {
  if (value !== undefined && (!Array.isArray(value) || value.some((g) => typeof g !== 'string'))) {
    throw new TypeError(`isolatedTests(options): the \`${name}\` option must be an array of strings, got ${JSON.stringify(value)}.`)
  }
}

/** Validates everything, and makes `setup` absolute (it is relative to the config's root). */
export function normalizePluginOptions(input: unknown, root: string): IsolatedTestsOptions {
  if (input === undefined) return {}
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TypeError(`isolatedTests(options): options must be an object, got ${JSON.stringify(input)}.`)
  }
  const { include, exclude, tags, ...rest } = input as Record<string, unknown>
  checkGlobs('include', include)
  checkGlobs('exclude', exclude)
  checkGlobs('tags', tags)
  const shared = validateOptions(rest, 'isolatedTests(options)')
  return {
    ...shared,
    ...(shared.setup ? { setup: resolve(root, shared.setup) } : {}),
    ...(include ? { include: include as string[] } : {}),
    ...(exclude ? { exclude: exclude as string[] } : {}),
    ...(tags ? { tags: tags as string[] } : {}),
  }
}

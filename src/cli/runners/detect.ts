// Which runner the project uses, when --runner is not given: its config files, then its package.json,
// then what is installed. Two equally likely answers are a usage error that asks for --runner.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { IsolatedUsageError } from '../errors.js'
import { jestRunner } from './jest.js'
import { findInstalled } from './package-bin.js'
import type { ListingRunner, RunnerOptions } from './types.js'
import { vitestRunner } from './vitest.js'

export type RunnerName = 'vitest' | 'jest'
export type { ListingRunner } from './types.js'

const has = (root: string, names: readonly string[]): boolean => names.some((n) => existsSync(join(root, n)))
const exts = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs']

export function detectRunner(root: string): RunnerName {
  const vitestConfig = has(root, exts.flatMap((e) => [`vitest.config.${e}`, `vitest.workspace.${e}`]))
  let pkg: { jest?: unknown; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } = {}
  try {
    pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof pkg
  } catch {
    // no package.json: config files and installed packages decide
  }
  const jestConfig = has(root, [...exts, 'json'].map((e) => `jest.config.${e}`)) || pkg.jest !== undefined
  if (vitestConfig !== jestConfig) return vitestConfig ? 'vitest' : 'jest'
  const deps = { ...pkg.dependencies, ...pkg.devDependencies }
  const vitestDep = 'vitest' in deps
  const jestDep = 'jest' in deps
  if (vitestDep !== jestDep) return vitestDep ? 'vitest' : 'jest'
  const vitestInstalled = findInstalled(root, 'vitest', 'vitest') !== undefined || has(root, exts.map((e) => `vite.config.${e}`))
  const jestInstalled = findInstalled(root, 'jest', 'jest') !== undefined
  if (vitestInstalled !== jestInstalled) return vitestInstalled ? 'vitest' : 'jest'
  throw new IsolatedUsageError(
    vitestInstalled
      ? `Both Vitest and Jest are set up in ${root}: pass --runner vitest or --runner jest.`
      : `Neither Vitest nor Jest is installed or configured in ${root}: run the command from the project's root, or pass --runner vitest|jest.`,
  )
}

export function makeRunner(name: RunnerName, options: RunnerOptions): ListingRunner {
  return name === 'vitest' ? vitestRunner(options) : jestRunner(options)
}

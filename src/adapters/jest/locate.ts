// Finds the packages of the Jest that is running, never the project's top-level copies: a project may
// have an unrelated old `jest-environment-node` hoisted at the top of node_modules while Jest 30 keeps
// its own copy nested under jest-runner.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join } from 'node:path'
import { IsolatedConfigError } from '../../core/errors.js'

/** The directory of the package called `name` that contains `file`. */
export function packageRoot(file: string, name: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (!existsSync(manifest)) continue
    try {
      if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir
    } catch {
      // unreadable manifest: keep walking
    }
  }
  return undefined
}

/** jest-runner's directory, from `projectConfig.runner` (jest-config makes it absolute). */
export function runnerDirFromConfig(runner: unknown): string {
  const dir = typeof runner === 'string' && isAbsolute(runner) ? packageRoot(runner, 'jest-runner') : undefined
  if (dir) return dir
  throw new IsolatedConfigError(
    `isolated-test/jest: cannot find the running Jest's jest-runner from the project's \`runner\` setting (${JSON.stringify(runner)}). The environment needs Jest's default runner (jest-runner, Jest 29 or 30); remove a custom \`runner\` from the Jest config or run these tests without isolated-test.`,
  )
}

export type JestRequire = (name: string) => unknown

/** A require that looks for each package from `dirs` in turn (Node resolution from each directory). */
export function jestRequireFrom(dirs: readonly string[]): JestRequire & { resolve(name: string): string } {
  const requires = dirs.map((dir) => createRequire(join(dir, 'package.json')))
  const resolve = (name: string): string => {
    for (const req of requires) {
      try {
        return req.resolve(name)
      } catch {
        // try the next directory
      }
    }
    throw new IsolatedConfigError(`isolated-test/jest: cannot find \`${name}\` from the running Jest (looked from ${dirs.join(', ')}). Is Jest 29 or 30 installed?`)
  }
  const load = ((name: string) => {
    const file = resolve(name)
    return createRequire(file)(file)
  }) as JestRequire & { resolve(name: string): string }
  load.resolve = resolve
  return load
}

function tryResolveDir(from: string, name: string): string | undefined {
  try {
    return dirname(createRequire(join(from, 'package.json')).resolve(`${name}/package.json`))
  } catch {
    return undefined
  }
}

/**
 * For `isolated()` under a plain Jest setup, where no config names jest-runner: from each candidate
 * directory (the running jest-circus first, then the project root), find jest-runner and jest-config
 * directly or through `jest` → `@jest/core`. Returns directories to resolve Jest's packages from.
 */
export function findJestDirs(candidates: readonly string[]): string[] {
  for (const start of candidates) {
    const direct = tryResolveDir(start, 'jest-runner')
    const config = tryResolveDir(start, 'jest-config')
    if (direct && config) return [direct, config, start]
    const jest = tryResolveDir(start, 'jest') ?? tryResolveDir(start, 'jest-cli')
    const core = jest ? (tryResolveDir(jest, '@jest/core') ?? tryResolveDir(tryResolveDir(jest, 'jest-cli') ?? jest, '@jest/core')) : tryResolveDir(start, '@jest/core')
    const runner = core && tryResolveDir(core, 'jest-runner')
    const coreConfig = core && tryResolveDir(core, 'jest-config')
    if (runner && coreConfig) return [runner, coreConfig, core]
  }
  throw new IsolatedConfigError(
    `isolated(): cannot find the running Jest (jest-runner and jest-config) from ${candidates.join(', ')}. Install jest in the project, or use testEnvironment 'isolated-test/jest'.`,
  )
}

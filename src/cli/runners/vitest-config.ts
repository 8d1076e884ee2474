// With isolation on, Vitest runs a config of ours that imports the project's own config and adds the
// isolatedTests() plugin to it (and to each inline project), unless it is already there. It is written
// next to the project's config, so that relative paths in that config mean what they always mean.
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'

const NAMES = ['vitest.config', 'vite.config'].flatMap((n) => ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((e) => `${n}.${e}`))

/** The config Vitest would load: `--config`/`-c` in the extra args, else the first default name in the root. */
export function userConfig(root: string, extraArgs: readonly string[]): { file: string | undefined; rest: string[] } {
  const rest: string[] = []
  let file: string | undefined
  for (let i = 0; i < extraArgs.length; i++) {
    const arg = extraArgs[i] as string
    const eq = /^(?:--config|-c)=(.*)$/.exec(arg)
    if (eq) file = resolve(root, eq[1] as string)
    else if ((arg === '--config' || arg === '-c') && i + 1 < extraArgs.length) file = resolve(root, extraArgs[++i] as string)
    else rest.push(arg)
  }
  file ??= NAMES.map((n) => join(root, n)).find((f) => existsSync(f))
  return { file, rest }
}

const body = (importLine: string, userExpr: string): string => `// Written by isolated-test (compare / polluter) for one run; removed after it.
import { isolatedTests } from 'isolated-test/vitest'
${importLine}

const flat = async (plugins) => {
  const out = []
  for (const p of [plugins ?? []].flat(Infinity)) {
    const v = await p
    if (Array.isArray(v)) out.push(...(await flat(v)))
    else if (v) out.push(v)
  }
  return out
}
const withPlugin = async (config) => {
  const plugins = await flat(config.plugins)
  return plugins.some((p) => p.name === 'isolated-test') ? { ...config, plugins } : { ...config, plugins: [...plugins, isolatedTests()] }
}

export default async (env) => {
  const loaded = ${userExpr}
  const config = await (typeof loaded === 'function' ? loaded(env) : loaded)
  const projects = config.test?.projects
  const root = await withPlugin(config)
  if (!Array.isArray(projects)) return root
  const wrapped = await Promise.all(projects.map(async (p) => {
    const project = await (typeof p === 'function' ? p(env) : p)
    if (project === null || typeof project !== 'object' || project.extends === true) return project
    return withPlugin(project)
  }))
  return { ...root, test: { ...root.test, projects: wrapped } }
}
`

/** Writes the wrapping config; returns its path and a function that removes it. */
export function writeIsolatingConfig(root: string, config: string | undefined, tag = ''): { path: string; remove: () => void } {
  const dir = config ? dirname(config) : root
  // `tag`: a run that overlaps another (the probe server beside a state run) has a file of its own.
  const path = join(dir, `.isolated-test-${process.pid}${tag && `-${tag}`}.vitest.config.mts`)
  const text = config ? body(`import user from './${basename(config)}'`, 'user') : body('', '{}')
  writeFileSync(path, text)
  return { path, remove: () => rmSync(path, { force: true }) }
}

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

/**
 * A run across files in a pinned order (polluter): a config of ours that imports `config` (the
 * project's, or the isolating wrapper above) and sets `sequence.sequencer` to dist/vitest-sequencer.js
 * around the project's sequencer (or Vitest's BaseSequencer): `order` first, and the order used
 * written to `record`.
 */
export function writeOrderedConfig(root: string, config: string | undefined, order: readonly string[], record: string | undefined, tag = 'ordered'): { path: string; remove: () => void } {
  const dir = config ? dirname(config) : root
  const path = join(dir, `.isolated-test-${process.pid}-${tag}.vitest.config.mts`)
  const sequencer = new URL('./vitest-sequencer.js', import.meta.url).href
  const text = `// Written by isolated-test (polluter) for one run across files; removed after it.
import { BaseSequencer } from 'vitest/node'
import { pinnedSequencer } from ${JSON.stringify(sequencer)}
${config ? `import user from './${basename(config)}'` : 'const user = {}'}

export default async (env) => {
  const config = await (typeof user === 'function' ? user(env) : user)
  const test = config.test ?? {}
  const sequence = test.sequence ?? {}
  const sequencer = pinnedSequencer(sequence.sequencer ?? BaseSequencer, ${JSON.stringify(order)}, ${JSON.stringify(record ?? null)})
  return { ...config, test: { ...test, sequence: { ...sequence, sequencer } } }
}
`
  writeFileSync(path, text)
  return { path, remove: () => rmSync(path, { force: true }) }
}

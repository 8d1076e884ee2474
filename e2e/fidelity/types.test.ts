// Issue 10, item 6: the README's examples type-check as a user writes them, with `tsc --init`
// defaults, under TypeScript 5.9 and 7.0, against Vitest 4.1 and 5.1 and Jest 29 and 30's types, with
// isolated-test as packed. One tsc run per runtime and TypeScript; one check per example file.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { ensureInstalled } from '../helpers/global-setup.js'
import { repoRoot } from '../helpers/package.js'
import { knownTypeFailures } from './known-failures.js'
import { HOOK_LIMIT_MS } from './run.js'
import { runtimes, type Runtime } from './runtimes.js'
import { tempProject } from './temp-project.js'

const FIXTURE = join(repoRoot, 'fixtures', 'fidelity-types')
export const TYPESCRIPTS = {
  '5.9': join(FIXTURE, 'node_modules', 'typescript', 'bin', 'tsc'),
  '7.0': join(FIXTURE, 'node_modules', 'typescript7', 'bin', 'tsc'),
} as const

/** Packages the example files import besides the runtime's own. */
function extraLinks(runtime: Runtime): Record<string, string> {
  if (runtime.framework === 'vitest') return { '@types/node': join(repoRoot, 'node_modules', '@types', 'node') }
  const nm = join(repoRoot, 'fixtures', runtime.name, 'node_modules')
  return { '@types/node': join(nm, '@types', 'node'), '@jest/globals': join(nm, '@jest', 'globals') }
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/

for (const runtime of Object.values(runtimes)) {
  const files = readdirSync(join(FIXTURE, runtime.framework)).filter((f) => f.endsWith('.ts')).sort()
  for (const [version, tsc] of Object.entries(TYPESCRIPTS)) {
    describe(`${runtime.label}, TypeScript ${version}: the README's examples type-check`, () => {
      const errors = new Map<string, string[]>()
      beforeAll(() => {
        ensureInstalled(FIXTURE)
        const dir = tempProject(runtime, `types-ts${version}`, (d) => {
          for (const [name, target] of Object.entries(extraLinks(runtime))) {
            mkdirSync(join(d, 'node_modules', name, '..'), { recursive: true })
            symlinkSync(target, join(d, 'node_modules', name), 'dir')
          }
          cpSync(join(FIXTURE, 'tsconfig.json'), join(d, 'tsconfig.json'))
          cpSync(join(FIXTURE, runtime.framework), d, { recursive: true })
          writeFileSync(join(d, 'package.json'), JSON.stringify({ name: 'types-check', private: true, type: 'module' }))
        })
        const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8', timeout: 170_000 })
        const out = `${r.stdout}${r.stderr}`
        let last: string[] | undefined
        for (const line of out.split('\n')) {
          const m = DIAGNOSTIC.exec(line)
          if (m) {
            const file = relative(dir, join(dir, m[1]!)).split(sep).join('/')
            last = errors.get(file) ?? []
            errors.set(file, last)
            last.push(`${m[2]}:${m[3]} ${m[4]} ${m[5]}`)
          } else if (line.startsWith(' ') && last) last[last.length - 1] += `\n${line}`
          else if (line.trim() !== '') throw new Error(`tsc ${version} printed something else than diagnostics (exit ${r.status}):\n${out}`)
        }
        if (r.status !== 0 && errors.size === 0) throw new Error(`tsc ${version} failed without diagnostics (exit ${r.status}, signal ${r.signal}):\n${out}`)
        const outside = [...errors.keys()].filter((f) => !files.includes(f))
        if (outside.length > 0) throw new Error(`errors outside the example files: ${outside.join(', ')}\n${out}`)
      }, HOOK_LIMIT_MS)
      for (const file of files) {
        const id = `${runtime.name} / ${version} / ${file}`
        ;(knownTypeFailures.has(id) ? test.fails : test)(`${runtime.framework}/${file}`, () => {
          expect(errors.get(file) ?? []).toEqual([])
        })
      }
    })
  }
}

import { afterEach, describe, expect, test } from 'vitest'
import { buildSync } from 'esbuild'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { applyCapturedVariables } from './closure.js'
import { buildReport, formatReport, summarizeReport } from './report.js'
import { runId, RUN_ID_ENV } from './report-file.js'
import { takeSnapshot } from './snapshot.js'

type SeedModule = { MODULE_SCOPE_LIST: string[]; appendToSharedList: (n: number) => string[]; parentUpdate: () => void }
const seed = (instance: string): Promise<SeedModule> => import(/* @vite-ignore */ new URL(`./fixtures/seed-module.mjs?instance=${instance}`, import.meta.url).href)
const SEED_FILE = fileURLToPath(new URL('./fixtures/seed-module.mjs', import.meta.url))

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})

let instances = 0

/** Seed example 1: the parent appends at run time, then a fresh instance (the child) runs the body. */
async function example1(method: 'fork' | 'spawn') {
  const n = ++instances
  const parent = await seed(`parent-${method}-${n}`)
  parent.parentUpdate()
  const parentAtCall = takeSnapshot({ capture: parent.appendToSharedList })
  const child = await seed(`child-${method}-${n}`)
  const childBefore = takeSnapshot({ capture: child.appendToSharedList })
  const carry = method === 'fork' ? applyCapturedVariables(child.appendToSharedList, structuredClone(parentAtCall.captured!.variables), () => child.appendToSharedList(1)) : undefined
  if (!carry) child.appendToSharedList(1)
  const childAfter = takeSnapshot({ capture: child.appendToSharedList })
  return { report: buildReport({ parent: parentAtCall, childBefore, childAfter, ...(carry && { carry }) }), parent, child }
}

describe('buildReport', () => {
  test('seed example 1 under spawn: the parent update is missing in the child; the child update is lost to the parent', async () => {
    const { report, parent } = await example1('spawn')
    expect(report.parentToChild).toEqual([
      { where: 'module', name: 'MODULE_SCOPE_LIST', file: SEED_FILE, scope: 'Block', before: "['Initial value', 'Parent process update']", after: "['Initial value']", kind: 'changed' },
    ])
    expect(report.childToParent).toEqual([
      { where: 'module', name: 'MODULE_SCOPE_LIST', file: SEED_FILE, scope: 'Block', before: "['Initial value']", after: "['Initial value', 'Child process 1 update']", kind: 'changed' },
    ])
    expect(report.leftOpen).toEqual([])
    expect(parent.MODULE_SCOPE_LIST).toEqual(['Initial value', 'Parent process update'])
  })

  test('seed example 1 under fork: the parent update was carried, so only the child update is reported', async () => {
    const { report, child } = await example1('fork')
    expect(child.MODULE_SCOPE_LIST).toEqual(['Initial value', 'Parent process update', 'Child process 1 update'])
    expect(report.parentToChild).toEqual([])
    expect(report.childToParent).toEqual([
      { where: 'module', name: 'MODULE_SCOPE_LIST', file: SEED_FILE, scope: 'Block', before: "['Initial value', 'Parent process update']", after: "['Initial value', 'Parent process update', 'Child process 1 update']", kind: 'changed' },
    ])
  })

  test('a value that was not carried says why', () => {
    const snap = takeSnapshot()
    const parent = { ...snap, captured: { functionName: 'body', file: '/p/a.test.ts', variables: [{ name: 'conn', scope: 'module' as const, scopeLabel: 'Module', depth: 0, value: { kind: 'uncopyable' as const, reason: 'a Socket', preview: 'Socket {…}' } }] } }
    const child = { ...snap, captured: { ...parent.captured, variables: [{ ...parent.captured.variables[0]!, value: { kind: 'copy' as const, value: undefined, preview: 'undefined' } }] } }
    const report = buildReport({ parent, childBefore: child, childAfter: child, carry: { applied: [], notApplied: [{ name: 'conn', scope: 'module', depth: 0, reason: 'a Socket cannot be copied' }] } })
    expect(report.parentToChild).toMatchObject([{ name: 'conn', before: 'Socket {…}', after: 'undefined', note: 'not carried: a Socket cannot be copied' }])
  })

  test('left open: timers and listeners the body started, not those it ended', () => {
    const keep = setTimeout(() => undefined, 60_000)
    const before = takeSnapshot()
    clearTimeout(keep)
    const timers = [setTimeout(() => undefined, 60_000), setTimeout(() => undefined, 60_000)]
    function onShutdown() {}
    process.on('SIGUSR2', onShutdown)
    cleanups.push(() => (timers.forEach(clearTimeout), process.off('SIGUSR2', onShutdown)))
    const after = takeSnapshot()
    const report = buildReport({ childBefore: before, childAfter: after })
    expect(report.leftOpen).toEqual([
      { where: 'listener', name: 'SIGUSR2', after: expect.stringMatching(/^1 × \[onShutdown \(report\.test\.ts:\d+\)\]$/), kind: 'added' },
      { where: 'resource', name: 'Timeout', before: String(before.resources.Timeout), after: String(before.resources.Timeout! + 1), kind: 'changed' },
    ])
    expect(summarizeReport(report)).toBe('2 left open')
  })
})

describe('formatReport', () => {
  test('the readable block names each variable, where it lives and both values', async () => {
    const { report } = await example1('spawn')
    const withOpen = { ...report, leftOpen: [{ where: 'resource' as const, name: 'Timeout', before: '1', after: '3', kind: 'changed' as const }, { where: 'listener' as const, name: 'SIGTERM', after: '1 × [stop (db.ts:4)]', kind: 'added' as const }] }
    const file = relative(process.cwd(), SEED_FILE)
    expect(formatReport(withOpen)).toBe(
      [
        'State across the process boundary (isolated-test):',
        '  parent → child: the parent had this when it called; the child did not get it',
        `    MODULE_SCOPE_LIST (module scope of ${file})`,
        "      parent: ['Initial value', 'Parent process update']",
        "      child:  ['Initial value']",
        '  child → parent: the body changed this in the child; the parent and the tests after it do not see it',
        `    MODULE_SCOPE_LIST (module scope of ${file})`,
        "      before: ['Initial value']",
        "      after:  ['Initial value', 'Child process 1 update']",
        '  left open: the body started this and did not end it',
        '    2 timers (Timeout: 1 → 3)',
        "    process.on('SIGTERM'): none → 1 × [stop (db.ts:4)]",
      ].join('\n'),
    )
    expect(summarizeReport(report)).toBe('1 parent → child, 1 child → parent')
  })

  test('env, globals and closures; nothing to say is an empty string', () => {
    const text = formatReport({
      parentToChild: [{ where: 'env', name: 'LOG_LEVEL', before: "'debug'", kind: 'removed' }],
      childToParent: [
        { where: 'global', name: '__APP__', after: '{ ready: true }', kind: 'added' },
        { where: 'closure', name: 'count', file: '/elsewhere/a.test.ts', scope: 'Closure (makeCounter)', before: '0', after: '1', kind: 'changed' },
      ],
      leftOpen: [],
    }, { root: '/elsewhere' })
    expect(text).toContain("    env LOG_LEVEL\n      parent: 'debug'\n      child:  (not set)")
    expect(text).toContain('    global __APP__\n      before: (not defined)\n      after:  { ready: true }')
    expect(text).toContain('    count (closure of makeCounter() of a.test.ts)')
    expect(formatReport({ parentToChild: [], childToParent: [], leftOpen: [] })).toBe('')
  })
})

describe('appendReportLine and runId', () => {
  // Four processes writing 80 MB between them: minutes on a loaded 2-core machine, not the default 5 s.
  test('parallel processes append whole lines, even lines far above PIPE_BUF', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isolated-report-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    // The real module, bundled so plain Node processes can run it.
    const bundle = buildSync({ entryPoints: [fileURLToPath(new URL('./report-file.ts', import.meta.url))], bundle: true, platform: 'node', format: 'esm', write: false })
    writeFileSync(join(dir, 'report-file.mjs'), bundle.outputFiles[0]!.text)
    const file = join(dir, 'out', 'report.jsonl')
    const writer = `import { appendReportLine } from ${JSON.stringify(join(dir, 'report-file.mjs'))}
      const [who, size] = process.argv.slice(1)
      for (let i = 0; i < 200; i++) appendReportLine(${JSON.stringify(file)}, { who, i, pad: who.repeat(Number(size)) })`
    const run = promisify(execFile)
    await Promise.all(['a', 'b', 'c', 'd'].map((who, n) => run(process.execPath, ['--input-type=module', '-e', writer, who, String(n % 2 ? 100 : 200_000)])))
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines).toHaveLength(800)
    const parsed = lines.map((l) => JSON.parse(l) as { who: string; i: number; pad: string })
    for (const who of ['a', 'b', 'c', 'd']) expect(parsed.filter((p) => p.who === who).map((p) => p.i)).toEqual([...Array(200).keys()])
  })

  test('runId is taken from the env, or made once and exported for children', () => {
    expect(runId({ [RUN_ID_ENV]: 'given' })).toBe('given')
    const env: NodeJS.ProcessEnv = {}
    const id = runId(env)
    // Derived from the process that started the workers (Linux), else made at random.
    expect(id).toMatch(/^(run-\d+-\d+|\d{8}T\d{6}Z-[0-9a-f]{6})$/)
    expect(env[RUN_ID_ENV]).toBe(id)
    expect(runId(env)).toBe(id)
    // Another worker of the same run, with its own env, agrees without being told.
    if (id.startsWith('run-')) expect(runId({})).toBe(id)
  })
})

// The layout check (`npm run check:layout`, run by `npm test`) must catch what it is there for: a cycle,
// a core module importing a framework or an adapter, and one adapter importing another. Each case is
// checked on a copy of src/ with one bad import added, so the real tree is never touched.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'

const root = resolve(import.meta.dirname, '..')
const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs')
const work = mkdtempSync(join(root, '.tmp-layout-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function cruise(extra: Record<string, string>): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(work, 'case-'))
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true })
  for (const file of ['tsconfig.json', '.dependency-cruiser.cjs']) cpSync(join(root, file), join(dir, file))
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text)
  try {
    const output = execFileSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' })
    return { ok: true, output }
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('the layout check', () => {
  test('passes on the tree as it is', () => {
    const { ok, output } = cruise({})
    expect(output).toContain('no dependency violations')
    expect(ok).toBe(true)
  })

  test.each([
    ['an import cycle', { 'src/core/a-cycle.ts': "import './b-cycle.js'\nexport const a = 1\n", 'src/core/b-cycle.ts': "import './a-cycle.js'\nexport const b = 1\n" }, 'no-circular'],
    ['the core importing a framework', { 'src/core/uses-vitest.ts': "import 'vitest'\n" }, 'core-knows-no-framework'],
    ['the core importing an adapter', { 'src/core/uses-adapter.ts': "import '../adapters/jest/tests.js'\n" }, 'core-knows-no-adapter'],
    ['one adapter importing another', { 'src/adapters/vitest/uses-jest.ts': "import '../jest/tests.js'\n" }, 'adapters-are-separate'],
    ['the child side importing the parent side', { 'src/core/child/uses-parent.ts': "import '../parent/pid-log.js'\n" }, 'child-side-stays-in-child'],
  ])('fails on %s', (_name, files, rule) => {
    const { ok, output } = cruise(files)
    expect(output).toContain(`error ${rule}`)
    expect(ok).toBe(false)
  })
})

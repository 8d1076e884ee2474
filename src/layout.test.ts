// The layout check (`npm run check:layout`, run by `npm test`) must catch what it is there for: a cycle,
// a core module importing a framework or an adapter, and one adapter importing another. Each case is
// checked on a copy of src/ with one bad import added, so the real tree is never touched.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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

// Each cruise takes seconds on a loaded 2-core machine: two runs, generous limits.
describe('the layout check', { timeout: 120_000 }, () => {
  test('passes on the tree as it is', () => {
    const { ok, output } = cruise({})
    expect(output).toContain('no dependency violations')
    expect(ok).toBe(true)
  })

  test('fails on each kind of bad import, naming its rule', () => {
    const { ok, output } = cruise({
      // an import cycle
      'src/core/a-cycle.ts': "import './b-cycle.js'\nexport const a = 1\n",
      'src/core/b-cycle.ts': "import './a-cycle.js'\nexport const b = 1\n",
      // the core importing a framework, and an adapter
      'src/core/uses-vitest.ts': "import 'vitest'\n",
      'src/core/uses-adapter.ts': "import '../adapters/jest/tests.js'\n",
      // one adapter importing another
      'src/adapters/vitest/uses-jest.ts': "import '../jest/tests.js'\n",
      // the child side importing the parent side
      'src/core/child/uses-parent.ts': "import '../parent/pid-log.js'\n",
      // the library importing the CLI
      'src/adapters/jest/uses-cli.ts': "import '../../cli/runners/names.js'\n",
    })
    expect(ok).toBe(false)
    expect(output).toMatch(/error no-circular: src\/core\/a-cycle\.ts/)
    expect(output).toMatch(/error core-knows-no-framework: src\/core\/uses-vitest\.ts/)
    expect(output).toMatch(/error core-knows-no-adapter: src\/core\/uses-adapter\.ts/)
    expect(output).toMatch(/error adapters-are-separate: src\/adapters\/vitest\/uses-jest\.ts/)
    expect(output).toMatch(/error child-side-stays-in-child: src\/core\/child\/uses-parent\.ts/)
    expect(output).toMatch(/error library-knows-no-cli: src\/adapters\/jest\/uses-cli\.ts/)
  })
})

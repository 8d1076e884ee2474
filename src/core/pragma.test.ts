import { describe, expect, test } from 'vitest'
import { readPragmas } from './pragma.js'
import { sourceComments } from './source-comments.js'

const options = (source: string): unknown => readPragmas(source, 'f.ts').layers
const warning = (source: string): string | undefined => readPragmas(source, 'f.ts').warning

describe('a pragma before the first statement applies, in any kind of comment', () => {
  test('a one-line docblock, a /* */ comment, a // comment', () => {
    expect(options('/** @isolated-test {"timeout": 200} */\nimport x from "y"')).toEqual([{ timeout: 200 }])
    expect(options('/* @isolated-test {"timeout": 200} */\nimport x from "y"')).toEqual([{ timeout: 200 }])
    expect(options('// @isolated-test {"timeout": 200}\nimport x from "y"')).toEqual([{ timeout: 200 }])
  })

  test('a docblock with other tags, the value spread over lines', () => {
    expect(options('/**\n * @jest-environment node\n * @isolated-test {"method": "spawn", "env": {"A": "1"}}\n */\n')).toEqual([{ method: 'spawn', env: { A: '1' } }])
    expect(options('/**\n * @isolated-test {\n *   "timeout": 5,\n *   "hooks": "parent"\n * }\n * @jest-environment node\n */\ntest()')).toEqual([{ timeout: 5, hooks: 'parent' }])
  })

  test('text after the JSON object is prose; a tag with no value is no change', () => {
    expect(options('/**\n * @isolated-test {"timeout": 5} because the server is slow\n */')).toEqual([{ timeout: 5 }])
    expect(options('/**\n * @isolated-test\n * @jest-environment node\n */')).toEqual([{}])
  })

  test('after a license header', () => {
    const source = '/*\n * Copyright (c) 2026 Example Corp.\n * Licensed under the MIT license.\n */\n/** @isolated-test {"timeout": 1} */\nimport x from "y"'
    expect(options(source)).toEqual([{ timeout: 1 }])
    expect(warning(source)).toBeUndefined()
  })

  test('after // @vitest-environment, eslint and @ts-check comments', () => {
    expect(options('// @vitest-environment node\n/** @isolated-test {"timeout": 1} */\nimport x from "y"')).toEqual([{ timeout: 1 }])
    expect(options('/* eslint-disable jest/no-done-callback */\n// @ts-check\n/** @isolated-test {"timeout": 2} */\ntest()')).toEqual([{ timeout: 2 }])
  })

  test("after a shebang, a BOM and 'use strict'-style directives", () => {
    expect(options('#!/usr/bin/env node\n// @isolated-test {"timeout": 1}\nrun()')).toEqual([{ timeout: 1 }])
    expect(options('\uFEFF/** @isolated-test {"timeout": 1} */\nrun()')).toEqual([{ timeout: 1 }])
    expect(options("'use strict'\n/** @isolated-test {\"timeout\": 1} */\nrun()")).toEqual([{ timeout: 1 }])
    expect(options('"use strict";\n"use client"; // @isolated-test {"timeout": 2}\nrun()')).toEqual([{ timeout: 2 }])
  })

  test('several pragmas apply in order', () => {
    expect(options('/**\n * @isolated-test {"timeout": 1}\n * @isolated-test {"timeout": 2}\n */\n// @isolated-test {"method": "spawn"}\nrun()')).toEqual([
      { timeout: 1 },
      { timeout: 2 },
      { method: 'spawn' },
    ])
  })
})

describe('what is not a pragma', () => {
  test('no comment, or comments without it: nothing, no warning', () => {
    expect(readPragmas('import x from "y"', 'f.ts')).toEqual({ layers: [], warning: undefined })
    expect(readPragmas(`/** @jest-environment ${'isolated-test'}/jest */\ntest()`, 'f.ts')).toEqual({ layers: [], warning: undefined })
  })

  test('after the first statement: ignored, one warning naming the file, the line and the comment', () => {
    const source = 'import { test } from "vitest"\n\n/** @isolated-test {"timeout": 1} */\n// @isolated-test {"timeout": 2}\ntest()'
    expect(options(source)).toEqual([])
    expect(warning(source)).toBe(
      'isolated-test: f.ts:3: this comment looks like an @isolated-test pragma but is not used: /** @isolated-test {"timeout": 1} */ (and 1 more such comment). A pragma counts only as "@isolated-test {json}" at the start of a comment line, in a comment before the file\'s first statement.',
    )
    // A statement that is an expression ends the header too.
    expect(options('run()\n// @isolated-test {"timeout": 2}')).toEqual([])
    // Not valid JSON either: it is not read at all.
    expect(() => readPragmas('const a = 1\n/** @isolated-test {timeout: 1} */', 'f.ts')).not.toThrow()
  })

  test('misspelt, or not at the start of a comment line: a warning', () => {
    expect(readPragmas('/** @isolated-tests {"timeout": 1} */\nrun()', 'f.ts')).toMatchObject({ layers: [], warning: expect.stringMatching(/^isolated-test: f\.ts:1: .* @isolated-tests/) })
    expect(readPragmas('/** @isolatedTest {"timeout": 1} */\nrun()', 'f.ts').warning).toMatch(/f\.ts:1:/)
    expect(readPragmas('/**\n * Uses the @isolated-test pragma.\n */\nrun()', 'f.ts')).toMatchObject({ layers: [], warning: expect.stringMatching(/f\.ts:2: .*Uses the @isolated-test pragma\./) })
  })

  test('in strings, template literals and regular expressions: neither used nor warned about', () => {
    const source = [
      'const a = "// @isolated-test {}"',
      "const b = '/* @isolated-test {} */'",
      'const c = `${"x"} /** @isolated-test {} */ ${`${1}`}`',
      'const d = /\\/\\/ @isolated-test [/]/g.test(a)',
      'const e = 4 / 2 // a division, then a real comment',
    ].join('\n')
    expect(readPragmas(source, 'f.ts')).toEqual({ layers: [], warning: undefined })
    expect(sourceComments(source).map((c) => [c.line, c.text, c.leading])).toEqual([[5, '// a division, then a real comment', false]])
  })
})

test('bad JSON and bad options name the file and line', () => {
  expect(() => readPragmas('// eslint-disable\n/** @isolated-test {timeout: 1} */', 'a.test.ts')).toThrow(
    /^the @isolated-test pragma in a\.test\.ts:2 must be followed by one JSON object, got \{timeout: 1\} \(.*\)\. Write it as/,
  )
  expect(() => readPragmas('/** @isolated-test 200 */', 'a.test.ts')).toThrow(/^the @isolated-test pragma in a\.test\.ts:1: the `options` option must be an object, got 200/)
  expect(() => readPragmas('/** @isolated-test {"method": "forkk"} */', 'a.test.ts')).toThrow(/^the @isolated-test pragma in a\.test\.ts:1: the `method` option must be 'fork' or 'spawn'/)
})

test('sourceComments marks the comments before the first statement as leading, with their lines', () => {
  const source = '#!/usr/bin/env node\n/* a */ // b\n"use strict"\n/** c\n */\nconst x = 1 /* d */\n'
  expect(sourceComments(source)).toEqual([
    { text: '/* a */', line: 2, leading: true },
    { text: '// b', line: 2, leading: true },
    { text: '/** c\n */', line: 4, leading: true },
    { text: '/* d */', line: 6, leading: false },
  ])
})

import { expect, test } from 'vitest'
import { matchesAny } from './glob.js'

test.each([
  ['src/a.test.ts', ['**/*.test.ts'], true],
  ['a.test.ts', ['**/*.test.ts'], true],
  ['src/deep/a.spec.tsx', ['src/**/*.{test,spec}.{ts,tsx}'], true],
  ['src/a.test.js', ['src/**/*.test.ts'], false],
  ['slow/x.test.ts', ['./slow/*'], true],
  ['slow/deep/x.test.ts', ['slow/*'], false],
])('%s matches %j: %s', (path, globs, expected) => {
  expect(matchesAny(path, globs)).toBe(expected)
})

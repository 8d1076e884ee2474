import { describe, expect, test } from 'vitest'
import type { TestResult } from '../runners/types.js'
import { acrossCandidates } from './across.js'

const r = (file: string, fullName: string, verdict: TestResult['verdict'] = 'pass'): TestResult => ({ file, fullName, line: 1, verdict })

describe('candidates across files', () => {
  const results = [r('/v', 'v1'), r('/v', 'victim', 'fail'), r('/b', 'b1'), r('/b', 'b2', 'skip'), r('/a', 'a1'), r('/a', 'a2', 'fail'), r('/z', 'z1')]

  test("the tests of the files run before the victim's, in the run order (not the reporter's), then its file's earlier tests", () => {
    const earlier = [{ file: '/v', fullName: 'v1', line: 1 }]
    const got = acrossCandidates(['/a', '/b', '/v', '/z'], results, '/v', earlier)
    expect(got.map((t) => `${t.file}:${t.fullName}`)).toEqual(['/a:a1', '/a:a2', '/b:b1', '/v:v1'])
  })

  test('a skipped test is no candidate; files after the victim are none', () => {
    expect(acrossCandidates(['/b', '/v', '/a'], results, '/v', []).map((t) => t.fullName)).toEqual(['b1'])
  })

  test("the victim's file first (or not in the run): only its earlier tests", () => {
    expect(acrossCandidates(['/v', '/a'], results, '/v', []).length).toBe(0)
    expect(acrossCandidates(['/a'], results, '/v', []).length).toBe(0)
  })
})

// Vitest's and Jest's JSON reporters share one shape (Jest's): testResults[] per file, each with
// assertionResults[] per test. We read the verdicts, the full names and the lines from it.
import { existsSync, readFileSync } from 'node:fs'
import { IsolatedRunnerError } from '../errors.js'
import type { Ran } from './spawn.js'
import type { RunResult, TestResult, Verdict } from './types.js'

interface JsonAssertion {
  fullName?: string
  status?: string
  failureMessages?: string[]
  location?: { line?: number } | null
}
interface JsonFile {
  name?: string
  status?: string
  message?: string
  assertionResults?: JsonAssertion[]
}

function verdictOf(status: string | undefined): Verdict {
  return status === 'passed' ? 'pass' : status === 'failed' ? 'fail' : 'skip'
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

export function readJsonResults(file: string, ran: Ran, runner: string): RunResult {
  if (!existsSync(file)) {
    if (ran.code === null) return { results: [], fileErrors: [], ms: ran.ms, exitCode: null }
    throw new IsolatedRunnerError(`${runner} wrote no JSON report (exit code ${ran.code}${ran.signal ? `, ${ran.signal}` : ''}). Its output ended with:\n${tail(ran.stderr || ran.stdout)}`)
  }
  const json = JSON.parse(readFileSync(file, 'utf8')) as { testResults?: JsonFile[] }
  const results: TestResult[] = []
  const fileErrors: { file: string; message: string }[] = []
  for (const f of json.testResults ?? []) {
    const path = f.name ?? ''
    const tests = f.assertionResults ?? []
    for (const a of tests) {
      const verdict = verdictOf(a.status)
      results.push({ file: path, fullName: a.fullName ?? '', line: a.location?.line ?? undefined, verdict, failure: verdict === 'fail' ? a.failureMessages?.[0] : undefined })
    }
    if (f.status === 'failed' && f.message && !tests.some((t) => t.status === 'failed')) fileErrors.push({ file: path, message: f.message })
  }
  return { results, fileErrors, ms: ran.ms, exitCode: ran.code }
}

// Which process model the e2e suite runs on. The suite runs twice from `npm test`: as project `e2e`
// (E2E_MODEL unset: fresh processes, Node 20 by default) and as project `e2e-fork-server`
// (E2E_MODEL=fork-server: every runner on Node 24 with processModel 'fork-server'), and every run's JSON
// report must then say that each isolated test ran in a fork of its zygote.
import { existsSync, readFileSync } from 'node:fs'
import { nodeBinary } from './nodes.js'
import { checkReportLines } from './report-lines.js'

export type E2EModel = 'fresh' | 'fork-server'

export const E2E_MODEL: E2EModel = process.env.E2E_MODEL === 'fork-server' ? 'fork-server' : 'fresh'
export const FORK_SERVER = E2E_MODEL === 'fork-server'

/** The Node binary the runners run on: the fork server needs Node 22 or later. */
export function defaultNode(): string {
  return FORK_SERVER ? nodeBinary(24) : process.execPath
}

/** What a runner's environment needs for this model. */
export function modelEnv(): Record<string, string> {
  return { ISOLATED_TEST_PROCESS_MODEL: E2E_MODEL }
}

/** Throws when a line of the JSON Lines report says a test ran on another model than this run's. */
export function assertModel(reportFile: string, allowFresh: (line: { file: string; fullName: string }) => boolean = () => false): void {
  if (!existsSync(reportFile)) return
  // Every line of every run fits the documented schema (README: "The JSON Lines report").
  checkReportLines(readFileSync(reportFile, 'utf8'))
  const wrong = readFileSync(reportFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { file: string; fullName: string; processModel: string | null; outcome: string })
    .filter((l) => l.processModel !== null && l.processModel !== E2E_MODEL && !allowFresh(l))
  if (wrong.length > 0) {
    throw new Error(`expected every isolated test to run on processModel '${E2E_MODEL}'; these did not:\n${wrong.map((l) => `  ${l.file} > ${l.fullName}: ${l.processModel}`).join('\n')}`)
  }
}

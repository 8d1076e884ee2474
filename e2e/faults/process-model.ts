// The process model a run uses (issue 11, the fork server): `fresh` (a new Node per child, today's
// only model) or `fork-server`. E2E_PROCESS_MODEL=<model> runs the whole fault suite with
// ISOLATED_TEST_PROCESS_MODEL=<model> and checks that every JSON Lines record says it ran under it.
import { expect } from 'vitest'
import type { ReportLine } from './run.js'

export function processModel(): string | undefined {
  // E2E_MODEL is what `npm test` sets for each e2e project (e2e/helpers/model.ts).
  return process.env.E2E_PROCESS_MODEL || process.env.E2E_MODEL || undefined
}

export function processModelEnv(): Record<string, string> {
  const model = processModel()
  return model ? { ISOLATED_TEST_PROCESS_MODEL: model } : {}
}

/**
 * The hook for the fork server: with a model asked for, every record must carry it in `processModel`.
 * Without one, the records must agree with each other (all without the field today).
 */
export function expectProcessModel(lines: readonly ReportLine[]): void {
  expect(lines.length, 'the run wrote JSON Lines records').toBeGreaterThan(0)
  // A record with no model is a test that failed before any child ran (its options, its arguments).
  const models = new Set(lines.map((l) => l.processModel).filter((m) => m !== null && m !== undefined))
  const want = processModel()
  if (want) expect([...models], `every record ran under ISOLATED_TEST_PROCESS_MODEL=${want}`).toEqual([want])
  else expect(models.size, `the records disagree on processModel: ${[...models].join(', ')}`).toBe(1)
}

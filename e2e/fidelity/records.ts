// Reading what fixture bodies and reporters wrote to E2E_OUT_DIR (one JSON object per line).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export type Entry = Record<string, unknown>

export function readRecords(dir: string, log: string): Entry[] {
  const file = join(dir, log)
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Entry)
}

/** Rows of a test.each/for table as the fixtures write them: [id, a, b, sum]. */
export const ROWS = [
  [1, 1, 2, 3],
  [2, 4, 4, 8],
] as const

/** What each row's body must have recorded, once each: its own id with its own data. */
export function expectedRows(method: string, form: string): Entry[] {
  return ROWS.map(([id, a, b, sum]) => ({ method, form, id, a, b, sum }))
}

/** The records of one method and form, without the process fields, sorted by id. */
export function rowsSeen(records: readonly Entry[], method: string, form: string): Entry[] {
  return records
    .filter((r) => r.method === method && r.form === form)
    .map(({ method: m, form: f, id, a, b, sum }) => ({ method: m, form: f, id, a, b, sum }))
    .sort((x, y) => Number(x.id) - Number(y.id))
}

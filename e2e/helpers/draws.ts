// The values the random-draw fixtures recorded, one JSON line per isolated test.
import { existsSync, readFileSync } from 'node:fs'

export interface Draw {
  readonly name: string
  readonly pid: number
  readonly random: number
  readonly uuid: string
  /** The child's process.execArgv (recorded by the Vitest fixture). */
  readonly execArgv?: readonly string[]
  /** KiB of the child's executable anonymous memory on huge pages (recorded by the Vitest fixture). */
  readonly hugeCodeKb?: number
}

export function readDraws(file: string): Draw[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Draw)
}

export const distinct = <T>(values: readonly T[]): number => new Set(values).size

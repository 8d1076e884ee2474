// One temporary directory per CLI run, for the runners' JSON output and our JSON Lines reports.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

let dir: string | undefined
let counter = 0

export function tempFile(name: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'isolated-test-cli-'))
  return join(dir, `${++counter}-${name}`)
}

export function removeTemp(): void {
  if (dir) rmSync(dir, { recursive: true, force: true })
  dir = undefined
}

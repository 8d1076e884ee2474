import { afterEach, expect, test } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { newToken, processesWithToken, TREE_ENV } from './token.js'

const started: ChildProcess[] = []

afterEach(async () => {
  for (const child of started.splice(0)) {
    child.kill('SIGKILL')
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit')
  }
})

async function carrying(token: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, [TREE_ENV]: token } })
  started.push(child)
  await once(child.stdout!, 'data')
  return child.pid!
}

test.skipIf(process.platform !== 'linux')('the token is found in a process created after the root, and not read in one created before it', async () => {
  const token = newToken()
  const older = await carrying(token)
  const newer = await carrying(token)
  // The scan over every process finds both.
  expect(processesWithToken(token).sort()).toEqual([older, newer].sort())
  // A tree rooted at `older` (created before `newer`): only pids given out since `older` are read.
  expect(processesWithToken(token, new Set(), older)).toEqual([newer])
  // Rooted at `newer`: `older` was given out before it, so it cannot be of that tree.
  expect(processesWithToken(token, new Set(), newer)).toEqual([])
})

// The one-fork self-test: can this process fork and have the child run JavaScript, a timer and the
// threadpool, then _exit? Run it in a process started with the fork flags, at a quiet moment (the child
// inherits whatever is pending). In the parent it resolves with the verdict; in the child the returned
// promise never settles (the child runs its checks and exits).
import { pbkdf2 } from 'node:crypto'
import { readlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { NativeAddon } from './addon.js'
import { fixForkedChild } from './zygote-serve.js'

export type SelfTestResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string; readonly ms: number }

// Child exit codes: which step failed.
const STEPS = ['ok', 'the fork() call', 'unused', 'fs (the threadpool)', 'crypto (the threadpool)', 'process.pid', 'JavaScript', 'garbage collection'] as const

export function forkSelfTest(addon: NativeAddon, { timeoutMs = 5000 } = {}): Promise<SelfTestResult> {
  const start = performance.now()
  const done = (reason?: string): SelfTestResult => {
    const ms = Math.round((performance.now() - start) * 10) / 10
    return reason === undefined ? { ok: true, ms } : { ok: false, reason, ms }
  }
  if (!process.execArgv.includes('--single-threaded')) {
    return Promise.resolve(done('the process was not started with --single-threaded (V8 would wait for background threads a child does not have)'))
  }
  let pid: number
  try {
    pid = addon.fork({ newGroup: true, subreaper: false, deathSignal: 9 })
  } catch (error) {
    return Promise.resolve(done(`fork failed: ${(error as Error).message}`))
  }
  if (pid === 0) {
    runChildChecks(addon)
    return new Promise(() => {})
  }
  return new Promise((resolve) => {
    const poll = (): void => {
      const status = addon.waitNoHang(pid)
      if (!status) {
        if (performance.now() - start < timeoutMs) return void setTimeout(poll, 2)
        addon.killTree(pid, true)
        for (let i = 0; i < 100 && !addon.waitNoHang(pid); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
        return resolve(done(`the forked child did not finish within ${timeoutMs} ms`))
      }
      if (status.code === 0) return resolve(done())
      const step = status.code === null ? undefined : STEPS[status.code]
      resolve(done(step ? `the forked child failed at ${step}` : `the forked child died (${status.signal !== null ? `signal ${status.signal}` : `code ${status.code}`})`))
    }
    setTimeout(poll, 1)
  })
}

function runChildChecks(addon: NativeAddon): void {
  fixForkedChild(addon, Number(readlinkSync('/proc/self')))
  const fail = (step: (typeof STEPS)[number]): never => addon.exitNow(STEPS.indexOf(step))
  let sum = 0
  for (let i = 0; i < 1e5; i++) sum += i
  if (sum !== 4999950000) fail('JavaScript')
  setTimeout(() => {
    readFile('/proc/self/stat', 'utf8').then(
      (stat) => {
        if (Number(stat.split(' ')[0]) !== process.pid) fail('process.pid')
        pbkdf2('isolated', 'test', 1000, 16, 'sha256', (error, key) => {
          if (error || key.length !== 16) fail('crypto (the threadpool)')
          // Young-generation collections, then a natural end: where V8 hands work to worker
          // threads the child does not have (a hang shows as the parent's timeout). 'beforeExit'
          // comes after Node drained the platform's tasks; exiting there skips the 'exit' listeners
          // of a caller's unsettled top-level await (this promise never settles in the child).
          let keep: { i: number }[] = []
          for (let i = 0; i < 120_000; i++) {
            keep.push({ i })
            if (keep.length > 20_000) keep = []
          }
          if (keep.length > 20_000) fail('garbage collection')
          process.once('beforeExit', () => addon.exitNow(0))
        })
      },
      () => fail('fs (the threadpool)'),
    )
  }, 1)
  // A step that hangs (a timer that never fires, a natural end that never comes) shows as the parent's timeout.
}

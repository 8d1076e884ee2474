// The addon's process primitives, loaded from dist as the package loads it (node-gyp-build, prebuild).
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { isRunning, survivors } from '../helpers/processes.js'
import { transparentHugePages } from '../helpers/huge-pages.js'
import { createHash } from 'node:crypto'
import { MAJORS, nativeEntry, nodeBinary, runScript } from './helpers.js'

const { loadAddon } = (await import(nativeEntry)) as typeof import('../../src/core/native/index.js')
const loaded = loadAddon()
const addon = loaded.addon!

function sleeper(seconds = 1000) {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' })
  return child
}

function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}

test('loads from the prebuild on this machine', () => {
  expect(loaded.reason).toBeUndefined()
  expect(addon.abiVersion).toBe(1)
})

test('ISOLATED_TEST_NO_ADDON turns it off with a reason', () => {
  const script = `const m = await import(${JSON.stringify(nativeEntry)}); console.log(JSON.stringify(m.loadAddon().reason ?? null))`
  const reason = (env: NodeJS.ProcessEnv): unknown =>
    JSON.parse(spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout)
  expect(reason({})).toBeNull()
  expect(reason({ ISOLATED_TEST_NO_ADDON: '1' })).toBe('ISOLATED_TEST_NO_ADDON is set')
})

describe('process groups', () => {
  test('getpgid reads the group of a child; setpgid(0, 0) makes a process its own group leader', async () => {
    const child = sleeper()
    expect(addon.getpgid(child.pid!)).toBe(addon.getpgid(0))
    child.kill('SIGKILL')
    const r = runScript(
      process.execPath,
      `const { addon } = (await import(${JSON.stringify(nativeEntry)})).loadAddon()
       const before = addon.getpgid(0)
       addon.setpgid(0, 0)
       console.log(JSON.stringify({ before, after: addon.getpgid(0), pid: process.pid }))`,
    )
    expect(r.json.before).not.toBe(r.json.pid)
    expect(r.json.after).toBe(r.json.pid)
    // After exec, a child's group can no longer be changed from outside (EACCES): children set their own.
    const late = sleeper()
    expect(() => addon.setpgid(late.pid!, late.pid!)).toThrow(expect.objectContaining({ code: 'EACCES' }))
    late.kill('SIGKILL')
  })

  test('errors carry errno names', () => {
    expect(() => addon.getpgid(2 ** 22 + 12345)).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'getpgid' }))
  })
})

describe('pidfds', () => {
  test('open, signal, then gone', async () => {
    const child = sleeper()
    const pid = child.pid!
    const fd = addon.pidfdOpen(pid)
    expect(typeof fd).toBe('number')
    expect(addon.pidfdSendSignal(fd as number, 9)).toBe('sent')
    await new Promise((resolve) => child.once('exit', resolve))
    expect(isRunning(pid)).toBe(false)
    // The pidfd still names the old process: signalling it now cannot hit a recycled pid.
    expect(addon.pidfdSendSignal(fd as number, 9)).toBe('gone')
    closeSync(fd as number)
    expect(addon.pidfdOpen(pid)).toBe('gone')
  })
})

describe('waitNoHang', () => {
  test('refuses -1 and groups, and pids that are not ours', () => {
    expect(() => addon.waitNoHang(-1)).toThrow(TypeError)
    expect(() => addon.waitNoHang(0)).toThrow(TypeError)
    expect(() => addon.waitNoHang(1)).toThrow(expect.objectContaining({ code: 'ECHILD' }))
  })

  test('reports exit code, signal and rusage of a forked child', () => {
    // Run in a --single-threaded node so that the fork is allowed; it prints the statuses.
    const r = runScript(
      process.execPath,
      `const { loadAddon } = await import(${JSON.stringify(nativeEntry)})
       const { addon } = loadAddon()
       const statuses = []
       for (const how of ['code', 'signal']) {
         const pid = addon.fork()
         if (pid === 0) { if (how === 'code') addon.exitNow(42); else process.kill(Number((await import('node:fs')).readlinkSync('/proc/self')), 'SIGTERM') }
         let s
         while (!(s = addon.waitNoHang(pid))) await new Promise((r) => setTimeout(r, 5))
         statuses.push(s)
       }
       console.log(JSON.stringify(statuses))`,
      [],
      ['--single-threaded'],
    )
    expect(r.stderr).toBe('')
    const [byCode, bySignal] = r.json
    expect(byCode).toMatchObject({ code: 42, signal: null })
    expect(byCode.maxRssKb).toBeGreaterThan(1000)
    expect(typeof byCode.userMicros).toBe('number')
    expect(bySignal).toMatchObject({ code: null, signal: 15 })
  })
})

describe('killTree', () => {
  test('ends a whole tree (children of children), root included', async () => {
    const root = spawn('sh', ['-c', 'sleep 1000 & (sleep 1001 & sleep 1002 & wait) & wait'], { stdio: 'ignore' })
    const pid = root.pid!
    let tree: number[] = []
    for (let i = 0; i < 100 && tree.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 20))
      tree = descendants(pid)
    }
    expect(tree.length).toBe(4) // sleep 1000, the subshell, and the subshell's two sleeps
    const killed = addon.killTree(pid, true)
    expect(new Set(killed)).toEqual(new Set([pid, ...tree]))
    expect(await survivors([pid, ...tree])).toEqual([])
  })

  test('leaves the root when asked', async () => {
    const root = spawn('sh', ['-c', 'sleep 1000 & wait; sleep 1000'], { stdio: 'ignore' })
    const pid = root.pid!
    let tree: number[] = []
    for (let i = 0; i < 100 && tree.length < 1; i++) {
      await new Promise((r) => setTimeout(r, 20))
      tree = descendants(pid)
    }
    expect(addon.killTree(pid, false)).toEqual(tree)
    expect(await survivors(tree)).toEqual([])
    expect(isRunning(pid)).toBe(true)
    root.kill('SIGKILL')
  })
})

describe('prctl (in throwaway processes: never in the test worker)', () => {
  test('a subreaper adopts a double-forked daemon', () => {
    const r = runScript(
      process.execPath,
      `const { loadAddon } = await import(${JSON.stringify(nativeEntry)})
       const { addon } = loadAddon()
       const { spawnSync } = await import('node:child_process')
       const { readFileSync } = await import('node:fs')
       addon.setChildSubreaper(true)
       const daemon = Number(spawnSync('sh', ['-c', 'setsid sleep 1003 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).stdout)
       const stat = readFileSync('/proc/' + daemon + '/stat', 'utf8')
       const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
       process.kill(daemon, 'SIGKILL')
       console.log(JSON.stringify({ daemon, ppid, me: process.pid }))`,
    )
    expect(r.json.ppid).toBe(r.json.me)
  })

  test('the parent-death signal ends a child when its parent is SIGKILLed', async () => {
    // parent -> child (sets PR_SET_PDEATHSIG SIGKILL, prints its pid) ; we SIGKILL parent.
    const childScript = `const { loadAddon } = await import(${JSON.stringify(nativeEntry)}); loadAddon().addon.setParentDeathSignal(9); console.log(process.pid); setInterval(() => {}, 1e6)`
    const parent = spawn(process.execPath, ['-e', `const c = require('node:child_process').spawn(process.execPath, ['--input-type=module', '-e', ${JSON.stringify(childScript)}], { stdio: ['ignore', 'inherit', 'inherit'] }); setInterval(() => {}, 1e6)`], { stdio: ['ignore', 'pipe', 'inherit'] })
    const childPid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d)))))
    expect(ppidOf(childPid)).toBe(parent.pid)
    parent.kill('SIGKILL')
    expect(await survivors([childPid])).toEqual([])
  })
})

function descendants(pid: number): number[] {
  const out: number[] = []
  const walk = (p: number): void => {
    let kids: number[] = []
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        kids.push(...readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number))
      }
    } catch {
      kids = []
    }
    for (const k of kids) {
      out.push(k)
      walk(k)
    }
  }
  walk(pid)
  return out
}

describe('moveTextToHugePages', () => {
  const thp = transparentHugePages()

  // In a --single-threaded node of each major a zygote runs on: the code it runs afterwards, and a
  // fork of it, must behave as before; the code mapping must now be anonymous and on 2 MB pages.
  // 'at once': moveTextToHugePages(); 'on a thread': startTextMove() copies while this thread works on,
  // finishTextMove() joins the copier and moves the copy (what a zygote does): no thread is left behind.
  const cases = MAJORS.flatMap((major) => (['at once', 'on a thread'] as const).map((how) => [major, how] as const))
  test.each(cases)("moves Node %i's code to huge pages (%s), and that code and a fork of it keep running", (major, how) => {
    const r = runScript(
      nodeBinary(major),
      `const { loadAddon } = await import(${JSON.stringify(nativeEntry)})
       const { readFileSync, readdirSync } = await import('node:fs')
       const { createHash } = await import('node:crypto')
       const { spawnSync } = await import('node:child_process')
       const { addon } = loadAddon()
       const threads = () => readdirSync('/proc/self/task').length
       const threadsBefore = threads()
       let moved
       if (${JSON.stringify(how)} === 'at once') moved = addon.moveTextToHugePages()
       else {
         const started = addon.startTextMove()
         if (started !== 0) throw new Error('startTextMove: ' + started)
         // The main thread keeps running Node's code while the copy is made.
         createHash('sha256').update('y'.repeat(1e6)).digest('hex')
         moved = addon.finishTextMove()
       }
       const threadsAfter = threads()
       // Each smaps entry: its header line, then its fields; the anonymous executable ones hold the moved code.
       let hugeKb = 0
       for (const entry of readFileSync('/proc/self/smaps', 'utf8').split(/\\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
         const [head] = entry.split('\\n')
         if (/ r-xp /.test(head) && head.trim().split(/\\s+/).length === 5) hugeKb += Number(/AnonHugePages:\\s+(\\d+)/.exec(entry)?.[1] ?? 0)
       }
       const work = () => [createHash('sha256').update('x'.repeat(1e5)).digest('hex').slice(0, 8), JSON.stringify(JSON.parse('{"a":[1,2,3]}')), /(\\d+)-(\\d+)/.exec('12-34')[2], spawnSync('true').status]
       const expected = work().join()
       const pid = addon.fork()
       if (pid === 0) addon.exitNow(work().join() === expected ? 7 : 8)
       let s
       while (!(s = addon.waitNoHang(pid))) await new Promise((r) => setTimeout(r, 5))
       console.log(JSON.stringify({ moved, hugeKb, work: work(), forkExit: s.code, threadsBefore, threadsAfter, finishAgain: addon.finishTextMove() }))`,
      [],
      ['--single-threaded'],
    )
    expect(r.stderr).toBe('')
    const out = r.json
    // The work's results after the move, as this process computes them; the fork got the same (exit 7).
    expect(out.work).toEqual([createHash('sha256').update('x'.repeat(1e5)).digest('hex').slice(0, 8), '{"a":[1,2,3]}', '34', 0])
    expect(out.forkExit).toBe(7)
    expect(out.threadsAfter).toBe(out.threadsBefore)
    // Nothing is pending after a finish.
    expect(out.finishAgain).toEqual({ moved: 0, error: 0 })
    expect(out.moved.error).toBe(0)
    if (!thp) return expect(out.moved.moved).toBe(0)
    expect(out.moved.moved).toBeGreaterThan(20)
    // What was moved is no longer a mapping of the executable, and is on huge pages.
    expect(out.hugeKb).toBeGreaterThanOrEqual((out.moved.moved - 2) * 1024)
  })
})

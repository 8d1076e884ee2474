// The zygotes of this test worker, one per key (the file, the flags, NODE_OPTIONS, the `env` and
// `setup` options and the framework's environment). A zygote that refuses (the import left a socket
// open) or cannot start sends its file to fresh processes, with a notice naming why; one that dies
// while serving is replaced once, then the file goes to fresh processes too. A zygote unused for a
// while is ended; so is every zygote when the worker exits (the exit guard tracks its tree).
import { clearTimeout, setTimeout } from 'node:timers'
import { noticeOnce } from './notice.js'
import { Zygote, type ZygoteOptions } from './zygote.js'

const IDLE_MS = 10_000

interface Entry {
  /** The zygote being started and checked: one per key, however many tests ask at once. */
  starting: Promise<ZygoteFor> | undefined
  current: Zygote | undefined
  deaths: number
  fallback: string | undefined
  idle: NodeJS.Timeout | undefined
}

const pool = new Map<string, Entry>()

export type ZygoteFor = { readonly zygote: Zygote } | { readonly fallback: string }

function fallBack(entry: Entry, file: string, reason: string): ZygoteFor {
  entry.fallback = reason
  noticeOnce(`fallback ${file}`, `isolated-test: ${file} runs its isolated tests in fresh processes, not forks of a zygote: ${reason}.`)
  return { fallback: reason }
}

/** Starts a zygote and waits until it has collected the file and found itself quiescent (or refused). */
async function startChecked(entry: Entry, file: string, bootTimeout: number, make: () => ZygoteOptions): Promise<ZygoteFor> {
  const zygote = await Zygote.start(make())
  // A zygote that hangs while importing the file (a top-level loop) is not waited on for ever.
  let timer: NodeJS.Timeout | undefined
  const state = await Promise.race([
    zygote.state,
    new Promise<{ ok: false; refused: false; reason: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, refused: false, reason: `its zygote did not collect the file within bootTimeout (${bootTimeout} ms)` }), bootTimeout)
    }),
  ])
  clearTimeout(timer)
  if (!state.ok) {
    zygote.shutdown()
    return fallBack(entry, file, state.reason)
  }
  return { zygote }
}

/** Ends the zygote once it has served nobody for IDLE_MS, never while a child of it runs. */
function armIdle(entry: Entry, zygote: Zygote): void {
  clearTimeout(entry.idle)
  entry.idle = setTimeout(() => {
    if (zygote.busy) return armIdle(entry, zygote)
    if (entry.current === zygote) entry.current = undefined
    zygote.shutdown()
  }, IDLE_MS).unref()
}

/** The zygote serving `key`, started with `make()` when there is none yet; or why the file runs fresh. */
export async function zygoteFor(key: string, file: string, bootTimeout: number, make: () => ZygoteOptions): Promise<ZygoteFor> {
  let entry = pool.get(key)
  if (!entry) pool.set(key, (entry = { starting: undefined, current: undefined, deaths: 0, fallback: undefined, idle: undefined }))
  if (entry.fallback) return { fallback: entry.fallback }
  if (entry.current?.death) {
    entry.deaths++
    entry.current = undefined
    if (entry.deaths >= 2) return fallBack(entry, file, 'its zygote died twice')
  }
  if (!entry.current) {
    const starting = (entry.starting ??= startChecked(entry, file, bootTimeout, make))
    const got = await starting
    if (entry.starting === starting) entry.starting = undefined
    if (!('zygote' in got)) return got
    entry.current ??= got.zygote
  }
  const zygote = entry.current
  armIdle(entry, zygote)
  return { zygote }
}

/** Ends the zygotes whose key `matches` (all of them by default): their file is done. */
export function shutdownZygotes(matches: (key: string) => boolean = () => true): void {
  for (const [key, entry] of pool) {
    if (!matches(key)) continue
    clearTimeout(entry.idle)
    entry.current?.shutdown()
    pool.delete(key)
  }
}

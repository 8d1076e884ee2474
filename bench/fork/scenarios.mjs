// What a forked child of the harness does, chosen by its request payload: { scenario, ...args }.
// Messages to the worker are JSON lines on the child's channel; the worker may answer with lines too.
import { spawn, spawnSync } from 'node:child_process'
import { createHash, pbkdf2, randomUUID, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Worker } from 'node:worker_threads'
import { Session } from 'node:inspector'
import { createInterface } from 'node:readline'
import { cpu } from './workloads.mjs'

export function run(addon, request, channel) {
  const firstJsNs = process.hrtime.bigint()
  const args = JSON.parse(request.payload.toString() || '{}')
  const send = (message) => channel.write(JSON.stringify(message) + '\n')
  const lines = createInterface({ input: channel })
  const scenario = scenarios[args.scenario]
  if (!scenario) {
    send({ error: `unknown scenario ${args.scenario}` })
    return process.exit(70)
  }
  // Our channel writes reach the worker before we go (end() calls back once they are flushed).
  const finish = (code) => channel.end(() => process.exit(code))
  scenario({ addon, request, channel, args, send, lines, finish, firstJsNs: String(firstJsNs) })
}

const scenarios = {
  // The floor: report and exit at once.
  trivial({ send, args, finish, firstJsNs }) {
    send({ firstJsNs })
    finish(args.code ?? 0)
  },

  // Everything a test might touch; each result goes to the worker.
  async full({ addon, request, send, lines, finish, firstJsNs }) {
    const status = readFileSync('/proc/self/status', 'utf8')
    const results = {
      firstJsNs,
      pid: process.pid,
      realPid: Number(readlinkSync('/proc/self')),
      ppid: process.ppid,
      zygotePid: request.zygotePid,
      pgid: addon.getpgid(0),
      oomScoreAdj: Number(readFileSync('/proc/self/oom_score_adj', 'utf8')),
      sigBlk: /^SigBlk:\s+(\w+)/m.exec(status)?.[1],
      workerTaskSlots: addon.workerTaskSlots(),
    }
    results.js = [1, 2, 3].map((x) => x * 2).reduce((a, b) => a + b)
    await new Promise((r) => setTimeout(r, 1))
    results.timer = true
    results.fs = (await readFile('/proc/self/stat', 'utf8')).split(' ')[0]
    results.crypto = await new Promise((r, j) => pbkdf2('a', 'b', 1000, 8, 'sha256', (e, k) => (e ? j(e) : r(k.toString('hex')))))
    results.dynamicImport = typeof (await import('node:zlib')).gzipSync
    results.spawn = await new Promise((resolve) => {
      const c = spawn('sh', ['-c', 'echo spawned-$$'], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      c.stdout.on('data', (d) => (out += d))
      c.on('close', (code) => resolve({ code, out: out.trim() }))
    })
    results.spawnSync = spawnSync('sh', ['-c', 'echo sync'], { encoding: 'utf8' }).stdout.trim()
    const session = new Session()
    session.connect()
    results.inspector = await new Promise((r) => session.post('Runtime.evaluate', { expression: '6 * 7' }, (e, res) => r(e ? String(e) : res.result.value)))
    session.disconnect()
    results.random = Math.random()
    results.uuid = randomUUID()
    results.randomBytes = randomBytes(8).toString('hex')
    results.zygoteDraws = globalThis.zygoteDraws
    process.stdout.write(`stdout of ${process.pid}\n`)
    process.stderr.write(`stderr of ${process.pid}\n`)
    console.log('console.log of %d', process.pid)
    send({ results })
    // A round trip with the worker on our own channel.
    for await (const line of lines) {
      const message = JSON.parse(line)
      if (message.echo !== undefined) send({ echoed: message.echo })
      if (message.exit !== undefined) return finish(message.exit)
    }
  },

  // The descriptors the child has: the worker checks none of the zygote's leaked in.
  fds({ send, finish }) {
    const fds = readdirSync('/proc/self/fd').map((fd) => {
      let target
      try {
        target = readlinkSync(`/proc/self/fd/${fd}`)
      } catch {
        target = 'gone' // the directory listing's own fd
      }
      return { fd: Number(fd), target }
    })
    send({ fds, smapsDc: dontforkCount() })
    finish(0)
  },

  // How much of Node's code the child has mapped at its first JavaScript (fork copies the zygote's
  // page-table entries for code, or leaves the child to fault each page in).
  'code-pages'({ send, finish }) {
    send({ codeRssKb: codeRssKb('self') })
    finish(0)
  },

  // Grandchildren of every kind, then wait to be killed: a plain child, a detached (own session)
  // child, and a double-forked daemon re-parented to us (we are a subreaper).
  tree({ send, lines }) {
    const plain = spawn('sleep', ['1000'], { stdio: 'ignore' })
    const detached = spawn('sleep', ['1001'], { stdio: 'ignore', detached: true })
    const daemon = spawn('sh', ['-c', 'setsid sleep 1002 >/dev/null 2>&1 & echo $!'], { stdio: ['ignore', 'pipe', 'ignore'] })
    let daemonPid = ''
    daemon.stdout.on('data', (d) => (daemonPid += d))
    daemon.on('close', () => {
      const pid = Number(daemonPid.trim())
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // Its parent (sh) is gone: as a subreaper, we adopted it.
      const daemonPpid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      send({ pids: [process.pid, plain.pid, detached.pid, pid], daemonPpid })
      lines.on('line', (line) => {
        if (JSON.parse(line).exit !== undefined) process.exit(JSON.parse(line).exit)
      })
    })
  },

  // Exit paths: process.exit(n), exitCode and a natural end, an uncaught error, a listener changing the code.
  exit({ args, send, channel }) {
    // Our channel must not keep the loop alive, or a natural end never comes.
    channel.unref()
    process.on('exit', (code) => send({ exitListener: code }))
    const how = args.how
    setTimeout(() => {
      if (how === 'process.exit') process.exit(args.code)
      if (how === 'exitCode') process.exitCode = args.code
      if (how === 'throw') throw new Error('uncaught in a forked child')
      if (how === 'reject') Promise.reject(new Error('unhandled rejection in a forked child'))
      if (how === 'listener') {
        process.on('exit', () => (process.exitCode = args.code))
        process.exit(1)
      }
      if (how === 'big-write') {
        // A natural end waits for the write, as in any Node process (process.exit() would not).
        process.stdout.write(Buffer.alloc(args.bytes, 'x'))
        process.exitCode = args.code
      }
    }, 1)
  },

  // A CPU-bound body, timed inside the child.
  async cpu({ args, send, finish }) {
    send(await cpu(args.kind, args.size))
    finish(0)
  },

  // Private memory after a trivial test body (a few allocations, a timer, a promise).
  memory({ send, args, finish }) {
    const keep = []
    const c = process.cpuUsage()
    for (let i = 0; i < (args.objects ?? 1000); i++) keep.push({ i, s: 'x' + i })
    setTimeout(() => {
      const used = process.cpuUsage(c)
      send({ uss: uss(), kept: keep.length, minorFaults: process.resourceUsage().minorPageFault, bodyCpuMs: (used.user + used.system) / 1000 })
      finish(0)
    }, 1)
  },

  // Wait (for the worker to measure us, or to kill the worker): exit when told.
  wait({ send, lines }) {
    send({ waiting: process.pid })
    lines.on('line', (line) => process.exit(JSON.parse(line).exit ?? 0))
  },

  // Draws from V8's own generators and crypto, fix-ups or not: what two children share.
  draws({ send, finish }) {
    send({ random: Math.random(), v8Random: globalThis.v8MathRandom(), uuid: randomUUID(), webUuid: globalThis.crypto.randomUUID(), bytes: randomBytes(8).toString('hex'), zygoteDraws: globalThis.zygoteDraws })
    finish(0)
  },

  // A new worker thread (V8 and Node set up a second isolate in the child).
  worker({ send, finish }) {
    const w = new Worker('require("node:worker_threads").parentPort.postMessage(6 * 7)', { eval: true })
    w.once('message', (m) => {
      send({ worker: m })
      void w.terminate().then(() => finish(0))
    })
  },

  // Allocate enough for full (mark-compact) collections, then end naturally: the case that hung on Node 20.
  'gc-then-exit'({ send, channel }) {
    let keep = []
    for (let r = 0; r < 40; r++) {
      keep.push(new Array(200000).fill(r))
      if (keep.length > 10) keep = []
    }
    send({ done: keep.length >= 0 })
    channel.unref()
  },

  hash({ send, finish }) {
    send({ hash: createHash('sha256').update(String(Math.random())).digest('hex') })
    finish(0)
  },
}

/** Rss (kB) of the node binary's executable mappings in /proc/<pid>/smaps. */
export function codeRssKb(pid) {
  const exe = readlinkSync(`/proc/${pid}/exe`)
  let total = 0
  let inCode = false
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line)
    if (head) inCode = head[1].includes('x') && head[2] === exe
    else if (inCode && line.startsWith('Rss:')) total += Number(/\d+/.exec(line)[0])
  }
  return total
}

function dontforkCount() {
  return readFileSync('/proc/self/smaps', 'utf8').split('\n').filter((l) => l.startsWith('VmFlags:') && / dc( |$)/.test(l)).length
}

export function uss() {
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8')
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0)
  return { privateKb: kb('Private_Clean') + kb('Private_Dirty'), pssKb: kb('Pss'), rssKb: kb('Rss') }
}

// A stand-in test worker for the kill tests: `node worker.mjs <node> <mainPid|0> [zygote flags...]`.
// Starts the harness zygote (watching us and mainPid), forks one child running the 'tree' scenario,
// prints {zygote, child, pids} as one JSON line on stdout, then idles until killed.
import { execFileSync } from 'node:child_process'
import { zygoteFlags } from '../../dist/native.js'
import { forkScenario, startZygote } from './harness.mjs'

const [node, main, ...zygoteArgs] = process.argv.slice(2)
const major = Number(/^v(\d+)/.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1])
const zygote = await startZygote({ node, flags: zygoteFlags(major), mainPid: Number(main) || undefined, zygoteArgs })
const c = await forkScenario(zygote, 'tree')
const { pids } = await c.next()
process.stdout.write(JSON.stringify({ zygote: zygote.pid, child: c.child.pid, pids }) + '\n')
setInterval(() => {}, 1 << 30)

import { loadAddon, readZygoteConfig, fixProcessPid, routeExitThroughExitNow, reseedMathRandom, compactHeap, resetUuidCache } from '../../dist/native.js'
import { randomFillSync } from 'node:crypto'
import { Socket } from 'node:net'
const { addon } = loadAddon()
await new Promise((r) => setTimeout(r, 20))
resetUuidCache(); if (process.env.GC === "last") compactHeap(); if (process.env.GC === "major") globalThis.gc?.() ?? (await import("node:v8")).setFlagsFromString("--expose-gc"), (process.env.GC === "major" && (await import("node:vm")).runInNewContext("gc")()); if (process.env.WARM) { randomFillSync(new Uint32Array(4)); reseedMathRandom(); new Socket(); }
const config = readZygoteConfig()
const req = addon.serve(config.controlFd, { connectPath: config.connectPath, watchPids: config.watchPids })
const t1 = process.hrtime.bigint()
fixProcessPid(req.pid)
const ta = process.hrtime.bigint()
routeExitThroughExitNow(addon)
const tb = process.hrtime.bigint()
randomFillSync(new Uint32Array(4))
const tc = process.hrtime.bigint()
reseedMathRandom()
const t2 = process.hrtime.bigint()
const ch = new Socket({ fd: req.channelFd, readable: true, writable: true })
const t3 = process.hrtime.bigint()
const ru = process.resourceUsage(); const ms = (x) => (Number(x - req.forkStartNs) / 1e6).toFixed(2)
process.on("exit", () => process._rawDebug("exit minflt " + process.resourceUsage().minorPageFault + " at " + (Number(process.hrtime.bigint() - req.forkStartNs)/1e6).toFixed(1)))
ch.write(JSON.stringify({ firstJsNs: String(t1), probe: `minflt ${ru.minorPageFault} majflt ${ru.majorPageFault} serve->js ${ms(t1)} pid ${ms(ta)} exit ${ms(tb)} randomFill ${ms(tc)} reseed ${ms(t2)} socket ${ms(t3)}` }) + '\n', () => ch.end(() => process.exit(0)))

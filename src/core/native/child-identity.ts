// process.pid is read once at start-up: a forked child still shows the zygote's, so its own
// process.kill(process.pid) would hit the zygote. process.ppid is read live and is right already.
export function fixProcessPid(pid: number): void {
  Object.defineProperty(process, 'pid', { value: pid, writable: false, enumerable: true, configurable: true })
}

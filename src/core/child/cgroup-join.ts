// A fork of a zygote starts in the zygote's cgroup. Where the parent made it one of its own (cgroup v2,
// core/parent/containment/cgroup.ts), it joins it first thing, before the test allocates: memory is
// charged to the cgroup of the process that touches it, and is not moved with the process later.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function joinCgroup(dir: string | undefined): void {
  if (!dir) return
  try {
    // '0': the writing process itself.
    writeFileSync(join(dir, 'cgroup.procs'), '0')
  } catch {
    // the parent moves us when it takes us in
  }
}

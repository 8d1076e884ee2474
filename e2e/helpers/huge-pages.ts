// Whether this kernel gives transparent huge pages to a region that asks (the zygote moves Node's code there).
import { readFileSync } from 'node:fs'

export function transparentHugePages(): boolean {
  try {
    return /\[(always|madvise)\]/.test(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))
  } catch {
    return false
  }
}

// V8's code cache for what a zygote loads through Node's own loaders (the framework's packages): a
// zygote compiles all of it eagerly (zygote-flags.ts), once per test file, and the cache (Node's
// module.enableCompileCache, 22.1+) makes that a read for every zygote after the first. Its own
// directory, because V8 rejects entries made under other flags, and the test worker's would thrash
// with ours in a shared one. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as for Node's own; a user's
// NODE_COMPILE_CACHE, already in force, is left as it is.
import module from 'node:module'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

interface CompileCacheApi {
  enableCompileCache?: (dir?: string) => unknown
  flushCompileCache?: () => void
}

const api = module as unknown as CompileCacheApi

/** Where zygotes keep it: per user, beside Node's own default (os.tmpdir()). */
export function compileCacheDir(): string {
  let user: string
  try {
    user = String(userInfo().uid)
  } catch {
    user = 'user'
  }
  return join(tmpdir(), `isolated-test-compile-cache-${user}`)
}

/** In a zygote as it starts, before the framework loads. Never throws: without it, compiling is all. */
export function enableZygoteCompileCache(): void {
  try {
    api.enableCompileCache?.(compileCacheDir())
  } catch {
    // an unwritable directory: no cache
  }
}

/** At the fork point: what the zygote compiled goes to disk now (a zygote never exits through Node's own exit). */
export function flushZygoteCompileCache(): void {
  try {
    api.flushCompileCache?.()
  } catch {
    // a full disk: the next zygote compiles again
  }
}

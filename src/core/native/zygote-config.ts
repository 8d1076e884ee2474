// How a worker tells the zygote process it spawns where its control socket is, where children connect
// back to, and whom to watch: one JSON environment variable (JSON escapes the abstract address's NUL).
export const ZYGOTE_CONFIG_ENV = 'ISOLATED_TEST_ZYGOTE'

export interface ZygoteConfig {
  /** The control socket's fd in the zygote (the worker's fourth stdio entry, 'pipe': a socketpair). */
  readonly controlFd: number
  readonly connectPath: string
  /** The worker, the runner's main process. */
  readonly watchPids: readonly number[]
}

export function encodeZygoteConfig(config: ZygoteConfig): string {
  return JSON.stringify(config)
}

export function readZygoteConfig(env: NodeJS.ProcessEnv = process.env): ZygoteConfig {
  const text = env[ZYGOTE_CONFIG_ENV]
  if (!text) throw new Error(`${ZYGOTE_CONFIG_ENV} is not set: this process was not started as a zygote`)
  const c = JSON.parse(text) as Partial<ZygoteConfig>
  if (typeof c.controlFd !== 'number' || typeof c.connectPath !== 'string' || !Array.isArray(c.watchPids)) {
    throw new Error(`${ZYGOTE_CONFIG_ENV} is malformed: ${text}`)
  }
  return { controlFd: c.controlFd, connectPath: c.connectPath, watchPids: c.watchPids }
}

// The package's bin: `npx isolated-test polluter ...` / `compare ...`. Dispatch, help, exit codes, and
// Ctrl-C: the first SIGINT ends every runner process group, prints the best answer so far and exits 130.
import { readFileSync } from 'node:fs'
import { HELP, parseArgs } from './args.js'
import { compare } from './compare/command.js'
import { exitCodeOf } from './errors.js'
import { polluter } from './polluter/command.js'
import { Progress } from './progress.js'
import { detectRunner, makeRunner } from './runners/detect.js'
import { killAll } from './runners/spawn.js'
import { removeTemp } from './runners/temp.js'

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv)
  if (args.command === 'help') {
    process.stdout.write(HELP)
    return 0
  }
  if (args.command === 'version') {
    process.stdout.write(`${version()}\n`)
    return 0
  }
  const root = process.cwd()
  const controller = new AbortController()
  const onSigint = (): void => {
    if (controller.signal.aborted) return
    process.stderr.write('\nisolated-test: interrupted; ending the runner processes...\n')
    controller.abort()
    void killAll()
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  const progress = new Progress()
  const write = (text: string): void => void process.stdout.write(text)
  try {
    const runner = makeRunner(args.runner ?? detectRunner(root), { root, seed: args.command === 'polluter' ? args.seed : undefined, extraArgs: args.extraArgs, env: process.env })
    progress.line(`${runner.name} ${runner.version} in ${root}`)
    if (args.command === 'polluter') {
      return await polluter({ runner, file: args.file, fullName: args.name, line: args.line, seed: args.seed, json: args.json, rank: args.rank, freshProbes: args.freshProbes, progress, signal: controller.signal, write })
    }
    return await compare({ runner, json: args.json, progress, signal: controller.signal, write })
  } finally {
    await killAll()
    removeTemp()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`isolated-test: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = exitCodeOf(error)
  },
)

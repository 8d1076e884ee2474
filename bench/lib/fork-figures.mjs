// The framework-free fork figures come from bench/fork/measure.mjs (one implementation of them), run
// as a subprocess in a quick mode: floor and latency, child USS/PSS, CPU-bound bodies with the chosen
// flags, per Node major. Its full tables stay in `node bench/fork/measure.mjs` (native/README.md).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repo, run, work } from './util.mjs'

export const MAJORS = [22, 24, 26]

export function forkFigures(runs) {
  const args = ['--majors', MAJORS.join(','), '--runs', String(runs), '--children', '60', '--samples', '10', '--sections', 'faults,latency,memory,cpu']
  // measure.mjs loads dist/ and the harness zygote; the default node only starts the majors' binaries.
  run(process.execPath, [join(repo, 'bench', 'fork', 'measure.mjs'), ...args])
  return { args, results: JSON.parse(readFileSync(join(work, 'fork-results.json'), 'utf8')) }
}

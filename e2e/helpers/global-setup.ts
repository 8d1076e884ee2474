// Packs the built package once, installs fixture projects that have their own dependencies, and
// puts the package into every Vitest fixture project as users get it.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { packPackage, repoRoot, unpackInto } from './package.js'
import { installTarball } from '../polluter/install.js'

const fixtures = join(repoRoot, 'fixtures')

/** `npm ci` a fixture project with its own lockfile, unless it is already installed from that lockfile. */
export function ensureInstalled(project: string): void {
  const lock = join(project, 'package-lock.json')
  const stamp = join(project, 'node_modules', '.installed-from-lock')
  const want = readFileSync(lock, 'utf8')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: project, stdio: 'inherit' })
  writeFileSync(stamp, want)
}

export default function setup(): void {
  const tarball = packPackage()
  // Vitest 5 runs the same plugin suite as Vitest 4.
  const vitest5 = join(fixtures, 'vitest5')
  for (const part of ['tests', 'cancel', 'summary', 'src', 'vitest.config.ts']) {
    rmSync(join(vitest5, part), { recursive: true, force: true })
    cpSync(join(fixtures, 'vitest4-plugin', part), join(vitest5, part), { recursive: true })
  }
  // ... and the same fault matrix (e2e/faults) as Vitest 4.1.
  rmSync(join(vitest5, 'faults-matrix'), { recursive: true, force: true })
  cpSync(join(fixtures, 'vitest4', 'faults-matrix'), join(vitest5, 'faults-matrix'), { recursive: true })
  ensureInstalled(vitest5)
  // Coverage (issue 12): its own Vitest 4.1 with both coverage providers, and the same sources on Vitest 5.
  const coverage4 = join(fixtures, 'coverage-vitest')
  const coverage5 = join(fixtures, 'coverage-vitest5')
  for (const part of ['src', 'tests', 'kill', 'vitest.config.ts']) {
    rmSync(join(coverage5, part), { recursive: true, force: true })
    cpSync(join(coverage4, part), join(coverage5, part), { recursive: true })
  }
  ensureInstalled(coverage4)
  ensureInstalled(coverage5)
  // The CLI's fixtures (e2e/polluter): installed with npm, so the bin is linked as for users.
  installTarball(tarball, join(fixtures, 'polluter-vitest'))
  ensureInstalled(join(fixtures, 'polluter-jest'))
  installTarball(tarball, join(fixtures, 'polluter-jest'))
  for (const project of ['vitest4', 'vitest4-plugin', 'vitest4-tags', 'vitest5', 'demo-vitest', 'coverage-vitest', 'coverage-vitest5']) unpackInto(tarball, join(fixtures, project))
}

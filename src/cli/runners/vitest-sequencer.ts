// The sequencer of Vitest runs across files (dist/vitest-sequencer.js, imported by the config
// vitest-config.ts writes; polluter, issue 14). It extends the project's sequencer (or Vitest's
// BaseSequencer, passed in: this module imports no Vitest): that one sorts, then the files in `order`
// run first, in that order; with `record`, it writes the order the run will use.
import { writeFileSync } from 'node:fs'
import { orderByList } from './file-order.js'

interface Spec {
  readonly moduleId: string
}
interface Sequencer {
  sort(files: Spec[]): Spec[] | Promise<Spec[]>
}
// any[]: what TypeScript requires of a mixin's base.
type SequencerClass = new (...args: any[]) => Sequencer

export function pinnedSequencer(Base: SequencerClass, order: readonly string[], record: string | null): SequencerClass {
  return class PinnedSequencer extends Base {
    override async sort(files: Spec[]): Promise<Spec[]> {
      const ordered = orderByList(await super.sort(files), (f) => f.moduleId, order)
      if (record) writeFileSync(record, JSON.stringify(ordered.map((f) => f.moduleId)))
      return ordered
    }
  }
}

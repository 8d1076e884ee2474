// A timed-out child whose output kept pouring out while we asked where it was stuck was writing it:
// its main thread sat in one long write (a pipe drained as fast as the parent reads), so a pause or
// stack request only landed once the write returned, often after the user's function had too. What
// the capture then says (nothing in time, or busy/idle outside the user's code) is an artefact.
import type { WatchdogReport } from '../ipc/protocol.js'

/** More than this read from the child during the capture (beyond any pipe or socket buffer): a long write. */
export const LONG_WRITE_BYTES = 1 << 20

/** The report, or 'writing' when `bytes` flowed during the capture and the report shows none of the user's frames. */
export function withOutputFlow(report: WatchdogReport | undefined, bytes: number): WatchdogReport | undefined {
  if (bytes <= LONG_WRITE_BYTES) return report
  if (report && report.state === 'busy' && report.frames.length > 0) return report
  if (report?.state === 'writing') return report
  // What it waited on (idle) was after the write: left out; the frames, workers and coverage stay.
  return { ...report, op: 'stuck', state: 'writing', frames: report?.frames ?? [], resources: [] }
}

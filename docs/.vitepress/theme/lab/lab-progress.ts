// Which labs this learner has finished or started, for the roadmap and the labs
// index. The runner's progress store is the record (it survives restarts and
// knows work done from the CLI); the page asks it once per visit and again
// whenever a lab page sees every task pass.
import { reactive } from 'vue'
import type { LabProgressStatus } from '../../../../runner/src/common/workshop.ts'
import { runnerApi } from './runner-api.ts'

export type LabProgress = LabProgressStatus

const known = reactive(new Map<string, LabProgress>())
let loading: Promise<void> | null = null

export function labProgress(labId: string): LabProgress {
  return known.get(labId) ?? 'not-started'
}

/** Asks the runner for this learner's progress; quiet when the runner is not there. */
export function loadRunnerProgress(force = false): Promise<void> {
  if (loading && !force) return loading
  loading = (async () => {
    try {
      const { labs } = await runnerApi.progress()
      for (const l of labs) known.set(l.labId, l.status)
    } catch {
      loading = null
    }
  })()
  return loading
}

/** A lab page saw its last task pass: show it at once, and let the runner's record follow. */
export function markLabDone(labId: string): void {
  if (known.get(labId) === 'done') return
  known.set(labId, 'done')
  void loadRunnerProgress(true)
}

// Which labs this learner has finished or started, for the roadmap and the labs
// index. The browser remembers what it saw (localStorage); running labs come
// from the runner, so a lab started from the CLI shows as in progress too.
import { ref } from 'vue'
import { runnerApi } from './runner-api.ts'

export type LabProgress = 'done' | 'in-progress' | 'not-started'

const DONE_KEY = (labId: string): string => `kdlabs:done:${labId}`

/** Bumped on every change so components re-read. */
export const progressVersion = ref(0)
const running = new Set<string>()
let lookedAtRunner = false

export function markLabDone(labId: string): void {
  if (typeof localStorage === 'undefined' || localStorage.getItem(DONE_KEY(labId))) return
  localStorage.setItem(DONE_KEY(labId), new Date().toISOString())
  progressVersion.value++
}

export function labProgress(labId: string): LabProgress {
  void progressVersion.value
  if (typeof localStorage === 'undefined') return 'not-started'
  if (localStorage.getItem(DONE_KEY(labId))) return 'done'
  return running.has(labId) ? 'in-progress' : 'not-started'
}

/** Asks the runner once which labs run now; quiet when the runner is not there. */
export async function loadRunnerProgress(): Promise<void> {
  if (lookedAtRunner) return
  lookedAtRunner = true
  try {
    const { sessions } = await runnerApi.listSessions()
    for (const s of sessions) {
      if (!['stopped', 'failed'].includes(s.phase)) running.add(s.labId)
      if (s.tasks.length > 0 && s.tasks.every((t) => t.status === 'passed')) markLabDone(s.labId)
    }
    progressVersion.value++
  } catch {
    lookedAtRunner = false
  }
}

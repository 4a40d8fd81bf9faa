// Which labs this learner has finished or started, for the roadmap and the labs
// index, and each lab's record (tasks passed, hints, time) for its page. The
// runner's progress store is the record (it survives Stop, restarts and knows
// work done from the CLI); the page asks it once per visit and again whenever a
// lab page starts a lab or sees a task pass.
import { reactive } from 'vue'
import type { LabProgress as LabProgressRecord, LabProgressStatus } from '../../../../runner/src/common/workshop.ts'
import type { QuizGrade } from '../../../../runner/src/common/quiz-grades.ts'
import { runnerApi } from './runner-api.ts'

export type LabProgress = LabProgressStatus
export type { LabProgressRecord }

const known = reactive(new Map<string, LabProgress>())
const records = reactive(new Map<string, LabProgressRecord>())
const quizzes = reactive(new Map<string, QuizGrade>())
let loading: Promise<void> | null = null

export function labProgress(labId: string): LabProgress {
  return known.get(labId) ?? 'not-started'
}

/** The store's record of one lab for this learner (undefined until loaded, or when the runner is not there). */
export function labRecord(labId: string): LabProgressRecord | undefined {
  return records.get(labId)
}

/** This learner's grade at a quiz (undefined until loaded, or when the runner is not there). */
export function quizGrade(quizId: string): QuizGrade | undefined {
  return quizzes.get(quizId)
}

/** Asks the runner for this learner's progress; quiet when the runner is not there. */
export function loadRunnerProgress(force = false): Promise<void> {
  if (loading && !force) return loading
  loading = (async () => {
    try {
      const { labs, quizzes: graded } = await runnerApi.progress()
      for (const q of graded) quizzes.set(q.quizId, q)
      for (const l of labs) {
        // A lab this page already saw finished stays done while the store's answer is on its way.
        known.set(l.labId, known.get(l.labId) === 'done' ? 'done' : l.status)
        records.set(l.labId, l)
      }
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

import { allLabs } from '../.vitepress/lab-pages.ts'

export interface LabSummary { id: string; title: string; level: string; minutes: number; backend: string; summary: string }

declare const data: LabSummary[]
export { data }

export default {
  watch: ['../../labs/*/lab.yaml'],
  load(): LabSummary[] {
    return allLabs().map(({ id, title, level, minutes, backend, summary }) => ({ id, title, level, minutes, backend, summary }))
  },
}

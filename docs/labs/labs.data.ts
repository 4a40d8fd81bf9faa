import { allLabs } from '../.vitepress/lab-pages.ts'
import { localizeLab } from '../../runner/src/common/lab-translation.ts'

/** `ko`: the title and summary in Korean (English where the lab has no translation yet). */
export interface LabSummary { id: string; title: string; level: string; minutes: number; backend: string; summary: string; ko: { title: string; summary: string } }

declare const data: LabSummary[]
export { data }

export default {
  watch: ['../../labs/*/lab.yaml', '../../labs/*/lab.ko.yaml'],
  load(): LabSummary[] {
    return allLabs().map((lab) => {
      const { id, title, level, minutes, backend, summary } = lab
      const ko = localizeLab(lab, 'ko')
      return { id, title, level, minutes, backend, summary, ko: { title: ko.title, summary: ko.summary } }
    })
  },
}

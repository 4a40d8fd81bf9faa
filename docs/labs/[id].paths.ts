import { allLabs, labPageMarkdown } from '../.vitepress/lab-pages.ts'
import { toPublicLab } from '../../runner/src/common/lab-schema.ts'

export default {
  paths() {
    return allLabs().map((lab) => {
      // What the page's components need (tasks, prompts): the public view, without the step text already on the page.
      const { steps: _steps, ...publicLab } = toPublicLab(lab)
      return { params: { id: lab.id, title: lab.title, lab: publicLab }, content: labPageMarkdown(lab) }
    })
  },
}

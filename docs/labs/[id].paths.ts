import { allLabs, labPageMarkdown } from '../.vitepress/lab-pages.ts'

export default {
  paths() {
    return allLabs().map((lab) => ({ params: { id: lab.id, title: lab.title }, content: labPageMarkdown(lab) }))
  },
}

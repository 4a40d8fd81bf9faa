// The Korean lab pages: the same generator as docs/labs/[id].paths.ts, with each
// lab in Korean (its lab.ko.yaml and .ko.md files) and site links under /ko/.
import { allLabs, labPageMarkdown, localeLink } from '../../.vitepress/lab-pages.ts'
import { toPublicLab } from '../../../runner/src/common/lab-schema.ts'
import { localizeLab } from '../../../runner/src/common/lab-translation.ts'

export default {
  paths() {
    return allLabs().map((english) => {
      const lab = localizeLab(english, 'ko')
      const { steps: _steps, ...publicLab } = toPublicLab(lab)
      const readNext = (publicLab.readNext ?? []).map((r) => ({ ...r, link: localeLink(r.link, 'ko') }))
      return { params: { id: lab.id, title: lab.title, lab: { ...publicLab, readNext } }, content: labPageMarkdown(lab, 'ko') }
    })
  },
}

// The site theme: VitePress's default theme, a layout that adds the lab
// workbench on lab pages, and the Lab* components used in markdown.
import DefaultTheme from 'vitepress/theme'
import type { Theme } from 'vitepress'
import LabLayout from './LabLayout.vue'
import LabMeta from './LabMeta.vue'
import LabTask from './LabTask.vue'
import LabSolution from './LabSolution.vue'
import LabStatus from './LabStatus.vue'
import LabJoin from './LabJoin.vue'
import LabInstructor from './LabInstructor.vue'
import LabHost from './LabHost.vue'
import LabImageList from './LabImageList.vue'
import LabPool from './LabPool.vue'
import LabComplete from './LabComplete.vue'
import LabQuiz from './LabQuiz.vue'
import LabQuizStatus from './LabQuizStatus.vue'
import { installRunButtons } from './lab/run-buttons.ts'
import './lab.css'

export default {
  extends: DefaultTheme,
  Layout: LabLayout,
  enhanceApp({ app }) {
    app.component('LabMeta', LabMeta)
    app.component('LabTask', LabTask)
    app.component('LabSolution', LabSolution)
    app.component('LabStatus', LabStatus)
    app.component('LabJoin', LabJoin)
    app.component('LabInstructor', LabInstructor)
    app.component('LabHost', LabHost)
    app.component('LabImageList', LabImageList)
    app.component('LabPool', LabPool)
    app.component('LabComplete', LabComplete)
    app.component('LabQuiz', LabQuiz)
    app.component('LabQuizStatus', LabQuizStatus)
    if (typeof window !== 'undefined') installRunButtons()
  },
} satisfies Theme

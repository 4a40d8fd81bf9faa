// The site theme: VitePress's default theme plus the Lab* components.
import DefaultTheme from 'vitepress/theme'
import type { Theme } from 'vitepress'
import LabMeta from './LabMeta.vue'
import './lab.css'

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('LabMeta', LabMeta)
  },
} satisfies Theme

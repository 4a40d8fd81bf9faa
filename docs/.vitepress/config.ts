import { defineConfig } from 'vitepress'
import { KO_SEARCH_WORDS, KO_THEME_WORDS, navFor, sidebarFor } from './site-nav.ts'
import { runButtons } from './run-buttons-plugin.ts'
import { quizBlocks } from './quiz-plugin.ts'
import { loadQuizzes } from '../../runner/src/node/quizzes/load-quizzes.ts'

/** The quiz files, loaded once per build; a broken one fails the build with its problems. */
function siteQuizzes() {
  const { quizzes, problems } = loadQuizzes()
  if (problems.length) throw new Error(`quiz files did not load:\n${problems.join('\n')}`)
  return quizzes
}

/** The runner the dev server forwards /api (HTTP and WebSocket) to; `npm run dev` starts one here. */
const RUNNER_URL = process.env.KDLABS_RUNNER_URL ?? 'http://127.0.0.1:7171'

export default defineConfig({
  title: 'kdlabs',
  description:
    'Hands-on labs for Linux kernel debugging and performance engineering: a guided site plus a runner that gives you a real shell where a real fault is running.',
  lang: 'en-US',
  cleanUrls: true,
  lastUpdated: false,
  srcExclude: ['**/README.md'],
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/logo.svg' }]],

  markdown: {
    config: (md) => {
      runButtons(md)
      quizBlocks(md, siteQuizzes())
    },
  },

  vite: {
    server: {
      // `npm run dev`: the site from VitePress with hot reload, the API and terminals from the runner.
      // changeOrigin makes Host name the runner; the runner must allow this dev Origin (scripts/dev.sh does).
      proxy: { '/api': { target: RUNNER_URL, changeOrigin: true, ws: true } },
    },
    build: {
      rollupOptions: {
        // zod's /*@__PURE__*/ comments sit where Rollup cannot use them; harmless, and not ours to fix.
        onwarn(warning, warn) {
          if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return
          warn(warning)
        },
      },
    },
  },

  locales: {
    root: { label: 'English', lang: 'en-US' },
    ko: {
      label: '한국어',
      lang: 'ko-KR',
      link: '/ko/',
      description: '리눅스 커널 디버깅과 성능 엔지니어링 실습: 안내 사이트와, 실제 장애가 돌고 있는 실제 셸을 주는 러너.',
      themeConfig: { ...KO_THEME_WORDS, nav: navFor('ko'), sidebar: sidebarFor('ko') },
    },
  },

  themeConfig: {
    logo: '/logo.svg',
    nav: navFor('en'),
    sidebar: sidebarFor('en'),
    outline: { level: [2, 3] },
    search: {
      provider: 'local',
      options: { locales: { ko: { translations: KO_SEARCH_WORDS } } },
    },
    footer: {
      message:
        'Run labs on machines you control. A lab container with CAP_SYS_ADMIN is root on the host — read the security model first.',
    },
  },
})

import { defineConfig, type DefaultTheme } from 'vitepress'
import { allLabs } from './lab-pages.ts'
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

// The labs, generated from labs/*/lab.yaml in the order learners take them
// (level, then the roadmap's order): the sidebar, and so the Previous/Next links.
export const labSidebar: DefaultTheme.SidebarItem[] = [
  { text: 'All labs', link: '/labs/' },
  ...allLabs().map((lab) => ({ text: lab.title.split(' — ')[0], link: `/labs/${lab.id}` })),
]

const startHere: DefaultTheme.SidebarItem = {
  text: 'Start here',
  items: [
    { text: 'Roadmap', link: '/roadmap' },
    { text: 'Security model', link: '/security' },
    { text: 'This host', link: '/host' },
    { text: 'Authoring labs', link: '/authoring' },
  ],
}

const workshops: DefaultTheme.SidebarItem = {
  text: 'Workshops',
  items: [
    { text: 'How workshops work', link: '/workshops' },
    { text: 'Join a workshop', link: '/workshop' },
    { text: 'Instructor dashboard', link: '/instructor' },
  ],
}

const caseStudies: DefaultTheme.SidebarItem = {
  text: 'Case studies',
  items: [
    { text: 'Overview', link: '/case-studies/' },
    // In the roadmap's order, like the labs they go with.
    { text: 'Syscall storm', link: '/case-studies/syscall-storm' },
    { text: 'CPU hot spot', link: '/case-studies/cpu-hotspot' },
    { text: 'CPU throttling', link: '/case-studies/cpu-throttling' },
    { text: 'Memory leak and the OOM killer', link: '/case-studies/memory-leak' },
    { text: 'Lock contention', link: '/case-studies/lock-contention' },
    { text: 'GC stall meets memory reclaim', link: '/case-studies/gc-stall' },
    { text: 'TCP latency', link: '/case-studies/tcp-latency' },
    { text: 'Saturated disk', link: '/case-studies/disk-latency' },
    { text: 'Driver panic', link: '/case-studies/driver-panic' },
    { text: 'Slab leak', link: '/case-studies/slab-leak' },
    { text: 'Hung task', link: '/case-studies/hung-task' },
  ],
}

const methodology: DefaultTheme.SidebarItem = {
  text: 'Methodology',
  items: [
    { text: 'Overview', link: '/methodology/' },
    { text: 'USE, RED and thread states', link: '/methodology/use-red-tsa' },
    { text: 'Counters vs tracing', link: '/methodology/counters-vs-tracing' },
    { text: 'Choosing a tool', link: '/methodology/tool-selection' },
    { text: 'Reading flame graphs', link: '/methodology/flame-graphs' },
    { text: 'Tuning: sysctl and cgroup v2', link: '/methodology/tuning' },
  ],
}

const tools: DefaultTheme.SidebarItem = {
  text: 'Tools',
  items: [
    { text: 'Overview', link: '/tools/' },
    { text: 'bpftrace one-liners', link: '/tools/bpftrace-one-liners' },
    { text: 'kdiag', link: '/tools/kdiag' },
    { text: 'ktrace', link: '/tools/ktrace' },
  ],
}

function labsGroup(): DefaultTheme.SidebarItem[] {
  return labSidebar.length > 0 ? [{ text: 'Labs', items: labSidebar }] : []
}

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

  themeConfig: {
    logo: '/logo.svg',

    nav: [
      { text: 'Roadmap', link: '/roadmap' },
      { text: 'Case studies', link: '/case-studies/' },
      { text: 'Methodology', link: '/methodology/' },
      { text: 'Tools', link: '/tools/' },
      { text: 'Labs', link: '/labs/' },
      { text: 'Workshops', link: '/workshops' },
      { text: 'Authoring', link: '/authoring' },
    ],

    sidebar: {
      '/case-studies/': [caseStudies, methodology],
      '/methodology/': [methodology, tools],
      '/tools/': [tools, methodology],
      '/labs/': [...labsGroup(), caseStudies, startHere],
      '/roadmap': [startHere, ...labsGroup(), caseStudies],
      '/security': [startHere],
      '/host': [startHere, ...labsGroup()],
      '/authoring': [startHere, ...labsGroup()],
      '/workshop': [workshops, startHere],
      '/instructor': [workshops, startHere],
    },

    outline: { level: [2, 3] },

    search: { provider: 'local' },

    footer: {
      message:
        'Run labs on machines you control. A lab container with CAP_SYS_ADMIN is root on the host — read the security model first.',
    },
  },
})

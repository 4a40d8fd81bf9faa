// The site's navigation (top bar, sidebars) and theme words in each language.
// English lives at /, Korean at /ko/ with the same page paths; every label has
// its Korean here, and the lab entries take the lab's own Korean title.
import type { DefaultTheme } from 'vitepress'
import type { Lang } from '../../runner/src/common/langs.ts'
import { localizeLab } from '../../runner/src/common/lab-translation.ts'
import { allLabs } from './lab-pages.ts'

/** Where a language's pages live: English at the root, the others under /<lang>/. */
export function langPrefix(lang: Lang): string {
  return lang === 'en' ? '' : `/${lang}`
}

const LABELS = {
  en: {
    roadmap: 'Roadmap', caseStudies: 'Case studies', methodology: 'Methodology', tools: 'Tools', labs: 'Labs',
    workshops: 'Workshops', authoring: 'Authoring', startHere: 'Start here', security: 'Security model', host: 'This host',
    authoringLabs: 'Authoring labs', howWorkshops: 'How workshops work', join: 'Join a workshop', instructor: 'Instructor dashboard', scaleOut: 'Scaling out',
    overview: 'Overview', allLabs: 'All labs',
    cs: {
      'syscall-storm': 'Syscall storm', 'cpu-hotspot': 'CPU hot spot', 'cpu-throttling': 'CPU throttling',
      'memory-leak': 'Memory leak and the OOM killer', 'lock-contention': 'Lock contention', 'gc-stall': 'GC stall meets memory reclaim',
      'tcp-latency': 'TCP latency', 'disk-latency': 'Saturated disk', 'driver-panic': 'Driver panic', 'slab-leak': 'Slab leak', 'hung-task': 'Hung task',
    },
    m: {
      'use-red-tsa': 'USE, RED and thread states', 'counters-vs-tracing': 'Counters vs tracing', 'tool-selection': 'Choosing a tool',
      'flame-graphs': 'Reading flame graphs', tuning: 'Tuning: sysctl and cgroup v2',
    },
    t: { 'bpftrace-one-liners': 'bpftrace one-liners', kdiag: 'kdiag', ktrace: 'ktrace' },
  },
  ko: {
    roadmap: '로드맵', caseStudies: '사례 연구', methodology: '방법론', tools: '도구', labs: '실습',
    workshops: '워크숍', authoring: '실습 만들기', startHere: '시작하기', security: '보안 모델', host: '이 호스트',
    authoringLabs: '실습 만들기', howWorkshops: '워크숍 진행 방식', join: '워크숍 참가', instructor: '강사 대시보드', scaleOut: '여러 머신으로 늘리기',
    overview: '개요', allLabs: '모든 실습',
    cs: {
      'syscall-storm': '시스템 콜 폭주', 'cpu-hotspot': 'CPU 핫스팟', 'cpu-throttling': 'CPU 스로틀링',
      'memory-leak': '메모리 누수와 OOM Killer', 'lock-contention': '락 경합', 'gc-stall': 'GC 멈춤과 메모리 회수',
      'tcp-latency': 'TCP 지연', 'disk-latency': '포화된 디스크', 'driver-panic': '드라이버 패닉', 'slab-leak': 'slab 누수', 'hung-task': 'Hung task',
    },
    m: {
      'use-red-tsa': 'USE, RED와 스레드 상태', 'counters-vs-tracing': '카운터와 추적', 'tool-selection': '도구 고르기',
      'flame-graphs': '플레임 그래프 읽기', tuning: '튜닝: sysctl과 cgroup v2',
    },
    t: { 'bpftrace-one-liners': 'bpftrace 원라이너', kdiag: 'kdiag', ktrace: 'ktrace' },
  },
} satisfies Record<Lang, unknown>

/** In the roadmap's order, like the labs they go with. */
const CASE_STUDIES = ['syscall-storm', 'cpu-hotspot', 'cpu-throttling', 'memory-leak', 'lock-contention', 'gc-stall', 'tcp-latency', 'disk-latency', 'driver-panic', 'slab-leak', 'hung-task'] as const
const METHODOLOGY = ['use-red-tsa', 'counters-vs-tracing', 'tool-selection', 'flame-graphs', 'tuning'] as const
const TOOLS = ['bpftrace-one-liners', 'kdiag', 'ktrace'] as const

export function navFor(lang: Lang): DefaultTheme.NavItem[] {
  const l = LABELS[lang]
  const p = langPrefix(lang)
  return [
    { text: l.roadmap, link: `${p}/roadmap` },
    { text: l.caseStudies, link: `${p}/case-studies/` },
    { text: l.methodology, link: `${p}/methodology/` },
    { text: l.tools, link: `${p}/tools/` },
    { text: l.labs, link: `${p}/labs/` },
    { text: l.workshops, link: `${p}/workshops` },
    { text: l.authoring, link: `${p}/authoring` },
  ]
}

/** The labs in the order learners take them (level, then the roadmap's order): the sidebar, and so the Previous/Next links. */
export function labSidebar(lang: Lang): DefaultTheme.SidebarItem[] {
  const p = langPrefix(lang)
  return [
    { text: LABELS[lang].allLabs, link: `${p}/labs/` },
    ...allLabs().map((lab) => ({ text: localizeLab(lab, lang).title.split(' — ')[0], link: `${p}/labs/${lab.id}` })),
  ]
}

export function sidebarFor(lang: Lang): DefaultTheme.SidebarMulti {
  const l = LABELS[lang]
  const p = langPrefix(lang)
  const startHere = { text: l.startHere, items: [
    { text: l.roadmap, link: `${p}/roadmap` }, { text: l.security, link: `${p}/security` },
    { text: l.host, link: `${p}/host` }, { text: l.authoringLabs, link: `${p}/authoring` },
  ] }
  const workshops = { text: l.workshops, items: [
    { text: l.howWorkshops, link: `${p}/workshops` }, { text: l.join, link: `${p}/workshop` }, { text: l.instructor, link: `${p}/instructor` },
    { text: l.scaleOut, link: `${p}/scale-out` },
  ] }
  const caseStudies = { text: l.caseStudies, items: [
    { text: l.overview, link: `${p}/case-studies/` },
    ...CASE_STUDIES.map((id) => ({ text: l.cs[id], link: `${p}/case-studies/${id}` })),
  ] }
  const methodology = { text: l.methodology, items: [
    { text: l.overview, link: `${p}/methodology/` },
    ...METHODOLOGY.map((id) => ({ text: l.m[id], link: `${p}/methodology/${id}` })),
  ] }
  const tools = { text: l.tools, items: [
    { text: l.overview, link: `${p}/tools/` },
    ...TOOLS.map((id) => ({ text: l.t[id], link: `${p}/tools/${id}` })),
  ] }
  const labs = labSidebar(lang)
  const labsGroup = labs.length > 1 ? [{ text: l.labs, items: labs }] : []
  return {
    [`${p}/case-studies/`]: [caseStudies, methodology],
    [`${p}/methodology/`]: [methodology, tools],
    [`${p}/tools/`]: [tools, methodology],
    [`${p}/labs/`]: [...labsGroup, caseStudies, startHere],
    [`${p}/roadmap`]: [startHere, ...labsGroup, caseStudies],
    [`${p}/security`]: [startHere],
    [`${p}/host`]: [startHere, ...labsGroup],
    [`${p}/authoring`]: [startHere, ...labsGroup],
    [`${p}/workshop`]: [workshops, startHere],
    [`${p}/instructor`]: [workshops, startHere],
    [`${p}/scale-out`]: [workshops, startHere],
  }
}

/** The default theme's own words, in Korean (English is the theme's default). */
export const KO_THEME_WORDS: DefaultTheme.Config = {
  outline: { level: [2, 3], label: '이 페이지에서' },
  docFooter: { prev: '이전', next: '다음' },
  darkModeSwitchLabel: '다크 모드',
  lightModeSwitchTitle: '밝은 테마로',
  darkModeSwitchTitle: '어두운 테마로',
  sidebarMenuLabel: '메뉴',
  returnToTopLabel: '맨 위로',
  langMenuLabel: '언어 바꾸기',
  skipToContentLabel: '본문으로 건너뛰기',
  notFound: { title: '페이지를 찾을 수 없습니다', quote: '주소가 맞는지 확인하거나 처음으로 돌아가십시오.', linkLabel: '처음으로', linkText: '처음으로' },
  footer: {
    message: '실습은 직접 관리하는 머신에서만 돌리십시오. CAP_SYS_ADMIN을 가진 실습 컨테이너는 호스트의 root와 같습니다. 먼저 보안 모델을 읽으십시오.',
  },
}

/** Local search in Korean: its own index of the /ko/ pages, and its own words. */
export const KO_SEARCH_WORDS = {
  button: { buttonText: '검색', buttonAriaLabel: '검색' },
  modal: {
    displayDetails: '자세히 보기', resetButtonTitle: '검색어 지우기', backButtonTitle: '검색 닫기', noResultsText: '결과가 없습니다',
    footer: { selectText: '선택', navigateText: '이동', closeText: '닫기' },
  },
}

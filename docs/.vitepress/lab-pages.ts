// Lab pages are generated from labs/<id>/ (lab.yaml + step markdown), never
// copied by hand. Used by the sidebar (config.ts) and the dynamic route
// docs/labs/[id].paths.ts.
import { loadLabs } from '../../runner/src/node/labs/registry.ts'
import { LABS_DIR, REPO_ROOT } from '../../runner/src/node/util/paths.ts'
import type { ResolvedLab } from '../../runner/src/common/lab-schema.ts'
import { localizeLab } from '../../runner/src/common/lab-translation.ts'
import type { Lang } from '../../runner/src/common/langs.ts'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** The site's source folder, where the case studies live. */
const DOCS_DIR = join(REPO_ROOT, 'docs')

export function allLabs(): ResolvedLab[] {
  const { labs, problems } = loadLabs(LABS_DIR)
  // A broken lab must not silently vanish from the site: fail the build, naming it.
  if (problems.length) throw new Error(`lab files with problems:\n${problems.join('\n')}`)
  return [...labs.values()]
}

/** The words a lab page adds around the lab's own text, per language. */
const PAGE_WORDS: Record<Lang, { intro: string; cli: string; cliLead: string; step: (n: number) => string; tasks: (n: number) => string; solution: string }> = {
  en: {
    intro: 'Press **Start** in the lab panel to get a shell with the fault already running. Each task below turns green when the runner confirms it; **Run** on a command block types the command into the lab.',
    cli: 'Prefer your own terminal?',
    cliLead: 'The same lab from the command line (the runner must be running: `npm start`):',
    step: (n) => `Step ${n}`,
    tasks: (n) => `Tasks of step ${n}`,
    solution: 'Solution',
  },
  ko: {
    intro: '실습 패널에서 **시작**을 누르면 장애가 이미 돌고 있는 셸이 열립니다. 아래 과제는 러너가 확인하면 초록색으로 바뀝니다. 명령 블록의 **실행**은 그 명령을 실습 터미널에 입력합니다.',
    cli: '내 터미널이 더 편하다면?',
    cliLead: '같은 실습을 명령줄에서 할 수 있습니다(러너가 실행 중이어야 합니다: `npm start`):',
    step: (n) => `${n}단계`,
    tasks: (n) => `${n}단계 과제`,
    solution: '풀이',
  },
}

/** A site link as a page in `lang` must write it: `/case-studies/x` → `/ko/case-studies/x`. */
export function localeLink(link: string, lang: Lang): string {
  return lang === 'en' || !link.startsWith('/') || link.startsWith(`/${lang}/`) ? link : `/${lang}${link}`
}

/**
 * The page's markdown: overview, then each step followed by its tasks (live
 * <LabTask> cards), then the solution behind a confirmation. Command blocks
 * get Run buttons from the markdown renderer (config.ts). `lab` is already in
 * `lang` (localizeLab); this adds the page's own words in it.
 */
export function labPageMarkdown(lab: ResolvedLab, lang: Lang = 'en'): string {
  const w = PAGE_WORDS[lang]
  const out: string[] = []
  out.push(`# ${lab.title}`, '')
  out.push(`<LabMeta level="${lab.level}" :minutes="${lab.minutes}" backend="${lab.backend}" />`, '')
  out.push(lab.summary, '')
  out.push(w.intro, '')
  out.push(`::: details ${w.cli}`, w.cliLead, '')
  out.push('```bash norun', `npm run labs -- start ${lab.id}      # attaches your terminal; Ctrl-] detaches`, `npm run labs -- check ${lab.id}      # runs the checks`, `npm run labs -- answer ${lab.id} <task> <answer>`, `npm run labs -- stop ${lab.id}`, '```', ':::', '')
  lab.steps.forEach((step, i) => {
    const body = demoteHeadings(step.markdown.replace(/^#\s+.+\n/, ''))
    out.push(`## ${w.step(i + 1)}: ${step.title} {#step-${i + 1}}`, '', body.trim(), '')
    const tasks = lab.tasks.filter((t) => t.step === i + 1)
    if (tasks.length) {
      out.push(`### ${w.tasks(i + 1)} {#tasks-of-step-${i + 1}}`, '')
      for (const t of tasks) out.push(`<LabTask task="${t.id}" />`, '')
    }
  })
  out.push(completionCard(lab, lang), '')
  if (lab.solution.notes) {
    out.push(`## ${w.solution} {#solution}`, '', '<LabSolution>', '', demoteHeadings(lab.solution.notes.replace(/^#\s+.+\n/, '')).trim(), '', '</LabSolution>', '')
  }
  return out.join('\n')
}

/**
 * The completion card (shown once every task passes): the next lab in roadmap
 * order (allLabs is sorted by level, then `order`) and, for the reading list
 * when lab.yaml has no `next.read`, the lab's case study if the site has one.
 */
function completionCard(lab: ResolvedLab, lang: Lang): string {
  const labs = allLabs()
  const next = labs[labs.findIndex((l) => l.id === lab.id) + 1]
  const caseStudy = existsSync(join(DOCS_DIR, 'case-studies', `${lab.id}.md`)) ? localeLink(`/case-studies/${lab.id}`, lang) : ''
  const attrs = [
    next ? `next-id="${attr(next.id)}" next-title="${attr(localizeLab(next, lang).title.split(' — ')[0]!)}"` : '',
    caseStudy ? `case-study="${attr(caseStudy)}"` : '',
  ].filter(Boolean).join(' ')
  return `<LabComplete ${attrs} />`
}

/** A value for a double-quoted attribute of a component in markdown. */
function attr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Moves headings one level down (the step itself is an h2), leaving code blocks alone. */
function demoteHeadings(markdown: string): string {
  let inFence = false
  return markdown.split('\n').map((line) => {
    if (/^(```|~~~)/.test(line)) inFence = !inFence
    return !inFence && /^#{1,5}\s/.test(line) ? `#${line}` : line
  }).join('\n')
}

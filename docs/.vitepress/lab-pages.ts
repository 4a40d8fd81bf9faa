// Lab pages are generated from labs/<id>/ (lab.yaml + step markdown), never
// copied by hand. Used by the sidebar (config.ts) and the dynamic route
// docs/labs/[id].paths.ts.
import { loadLabs } from '../../runner/src/node/labs/registry.ts'
import { LABS_DIR, REPO_ROOT } from '../../runner/src/node/util/paths.ts'
import type { ResolvedLab } from '../../runner/src/common/lab-schema.ts'
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

/**
 * The page's markdown: overview, then each step followed by its tasks (live
 * <LabTask> cards), then the solution behind a confirmation. Command blocks
 * get Run buttons from the markdown renderer (config.ts).
 */
export function labPageMarkdown(lab: ResolvedLab): string {
  const out: string[] = []
  out.push(`# ${lab.title}`, '')
  out.push(`<LabMeta level="${lab.level}" :minutes="${lab.minutes}" backend="${lab.backend}" />`, '')
  out.push(lab.summary, '')
  out.push('Press **Start** in the lab panel to get a shell with the fault already running. Each task below turns green when the runner confirms it; **Run** on a command block types the command into the lab.', '')
  out.push('::: details Prefer your own terminal?', 'The same lab from the command line (the runner must be running: `npm start`):', '')
  out.push('```bash norun', `npm run labs -- start ${lab.id}      # attaches your terminal; Ctrl-] detaches`, `npm run labs -- check ${lab.id}      # runs the checks`, `npm run labs -- answer ${lab.id} <task> <answer>`, `npm run labs -- stop ${lab.id}`, '```', ':::', '')
  lab.steps.forEach((step, i) => {
    const body = demoteHeadings(step.markdown.replace(/^#\s+.+\n/, ''))
    out.push(`## Step ${i + 1}: ${step.title}`, '', body.trim(), '')
    const tasks = lab.tasks.filter((t) => t.step === i + 1)
    if (tasks.length) {
      out.push(`### Tasks of step ${i + 1}`, '')
      for (const t of tasks) out.push(`<LabTask task="${t.id}" />`, '')
    }
  })
  out.push(completionCard(lab), '')
  if (lab.solution.notes) {
    out.push('## Solution', '', '<LabSolution>', '', demoteHeadings(lab.solution.notes.replace(/^#\s+.+\n/, '')).trim(), '', '</LabSolution>', '')
  }
  return out.join('\n')
}

/**
 * The completion card (shown once every task passes): the next lab in roadmap
 * order (allLabs is sorted by level, then `order`) and, for the reading list
 * when lab.yaml has no `next.read`, the lab's case study if the site has one.
 */
function completionCard(lab: ResolvedLab): string {
  const labs = allLabs()
  const next = labs[labs.findIndex((l) => l.id === lab.id) + 1]
  const caseStudy = existsSync(join(DOCS_DIR, 'case-studies', `${lab.id}.md`)) ? `/case-studies/${lab.id}` : ''
  const attrs = [
    next ? `next-id="${attr(next.id)}" next-title="${attr(next.title.split(' — ')[0]!)}"` : '',
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

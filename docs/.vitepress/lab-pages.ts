// Lab pages are generated from labs/<id>/ (lab.yaml + step markdown), never
// copied by hand. Used by the sidebar (config.ts) and the dynamic route
// docs/labs/[id].paths.ts.
import { loadLabs } from '../../runner/src/node/labs/registry.ts'
import { LABS_DIR } from '../../runner/src/node/util/paths.ts'
import type { ResolvedLab } from '../../runner/src/common/lab-schema.ts'

export function allLabs(): ResolvedLab[] {
  const { labs, problems } = loadLabs(LABS_DIR)
  // A broken lab must not silently vanish from the site: fail the build, naming it.
  if (problems.length) throw new Error(`lab files with problems:\n${problems.join('\n')}`)
  return [...labs.values()]
}

/** The page's markdown: overview, then each step with its tasks and hints. */
export function labPageMarkdown(lab: ResolvedLab): string {
  const out: string[] = []
  out.push(`# ${lab.title}`, '')
  out.push(`<LabMeta level="${lab.level}" :minutes="${lab.minutes}" backend="${lab.backend}" />`, '')
  out.push(lab.summary, '')
  out.push('## Start the lab', '')
  out.push('Start the runner once with `npm start` in your checkout, then in another terminal:', '')
  out.push('```bash', `npm run labs -- start ${lab.id}      # attaches your terminal; Ctrl-] detaches`, `npm run labs -- check ${lab.id}      # runs the checks`, `npm run labs -- answer ${lab.id} <task> <answer>`, `npm run labs -- stop ${lab.id}`, '```', '')
  lab.steps.forEach((step, i) => {
    const body = demoteHeadings(step.markdown.replace(/^#\s+.+\n/, ''))
    out.push(`## Step ${i + 1}: ${step.title}`, '', body.trim(), '')
    const tasks = lab.tasks.filter((t) => t.step === i + 1)
    if (tasks.length) {
      out.push('### Tasks', '')
      for (const t of tasks) {
        const how = t.question ? `answer: *${inline(t.question.prompt)}* — \`labs answer ${lab.id} ${t.id} <answer>\`` : `checked by the runner — \`labs check ${lab.id} ${t.id}\``
        out.push(`- **${inline(t.title)}** (\`${t.id}\`): ${how}`)
      }
      out.push('')
      for (const t of tasks) {
        t.hints.forEach((h, n) => out.push(`::: details Hint ${n + 1} for “${inline(t.title)}”`, inline(h), ':::', ''))
      }
    }
  })
  return out.join('\n')
}

/** Moves headings one level down (the step itself is an h2), leaving code blocks alone. */
function demoteHeadings(markdown: string): string {
  let inFence = false
  return markdown.split('\n').map((line) => {
    if (/^(```|~~~)/.test(line)) inFence = !inFence
    return !inFence && /^#{1,5}\s/.test(line) ? `#${line}` : line
  }).join('\n')
}

/** Lab text may say `<pid>`: outside code spans, angle brackets are text, not HTML. */
function inline(text: string): string {
  return text.split(/(`[^`]*`)/).map((part) => (part.startsWith('`') ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;'))).join('')
}

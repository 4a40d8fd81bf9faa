// `::: quiz <id>` on its own line, closed by `:::`, shows the quiz
// docs/quizzes/<id>.yaml on a page (docs/authoring.md "Quizzes"). The page gets
// the questions only; the runner keeps the answers and grades. An unknown id, or
// a quiz file that does not load, fails the build naming the page.
import type { MarkdownRenderer } from 'vitepress'
import type { QuizFile } from '../../runner/src/common/quiz-schema.ts'

const OPEN = /^::: *quiz +([a-z0-9-]+) *$/
const CLOSE = /^::: *$/

export function quizBlocks(md: MarkdownRenderer, quizzes: ReadonlyMap<string, QuizFile>): void {
  md.block.ruler.before('fence', 'kdlabs_quiz', (state, startLine, _endLine, silent) => {
    const line = (n: number): string => state.src.slice(state.bMarks[n]! + state.tShift[n]!, state.eMarks[n]).trimEnd()
    const open = OPEN.exec(line(startLine))
    if (!open) return false
    const id = open[1]!
    const page = String((state.env as { relativePath?: string }).relativePath ?? '')
    if (startLine + 1 >= state.lineMax || !CLOSE.test(line(startLine + 1))) {
      throw new Error(`${page}:${startLine + 1}: "::: quiz ${id}" must be followed by a line ":::" (the quiz itself is docs/quizzes/${id}.yaml)`)
    }
    if (!quizzes.has(id)) {
      throw new Error(`${page}:${startLine + 1}: no quiz "${id}" (docs/quizzes/${id}.yaml is missing or did not load; known: ${[...quizzes.keys()].join(', ')})`)
    }
    if (silent) return true
    const token = state.push('html_block', '', 0)
    token.content = `<LabQuiz quiz="${id}" />\n`
    token.map = [startLine, startLine + 2]
    state.line = startLine + 2
    return true
  })
}

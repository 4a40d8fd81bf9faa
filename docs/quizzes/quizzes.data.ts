// The quizzes as pages may show them: questions and choices in each language,
// never the answers (toPublicQuiz drops them; test/quiz-bundle.test.ts proves
// no answer reaches the built site).
import { loadQuizzes } from '../../runner/src/node/quizzes/load-quizzes.ts'
import { toPublicQuiz, type PublicQuiz } from '../../runner/src/common/quiz-schema.ts'
import { LANGS, type Lang } from '../../runner/src/common/langs.ts'

export type PublicQuizzes = Record<Lang, Record<string, PublicQuiz>>

declare const data: PublicQuizzes
export { data }

export default {
  watch: ['./*.yaml'],
  load(): PublicQuizzes {
    const { quizzes, problems } = loadQuizzes()
    if (problems.length) throw new Error(`quiz files did not load:\n${problems.join('\n')}`)
    return Object.fromEntries(LANGS.map((lang) => [lang, Object.fromEntries([...quizzes.values()].map((q) => [q.id, toPublicQuiz(q, lang)]))])) as PublicQuizzes
  },
}

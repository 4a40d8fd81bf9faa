// Every string the lab UI shows, in each language (runner/src/common/langs.ts).
// Components take the page's language from VitePress (`useData().lang`) and
// read their words here; test/translations.test.ts fails on a missing one.
import { computed, type ComputedRef } from 'vue'
import { useData } from 'vitepress'
import { langOfTag, type Lang } from '../../../../runner/src/common/langs.ts'

/** The language of the page being shown: "ko-KR" pages are Korean, everything else English. */
export function usePageLang(): ComputedRef<Lang> {
  const { lang } = useData()
  return computed(() => langOfTag(lang.value))
}

const quizEn = {
  check: 'Check answer',
  checking: 'Checking…',
  right: 'Right',
  closed: 'Closed',
  open: 'Not answered yet',
  score: (passed: number, total: number) => `${passed} of ${total} right`,
  attemptsLeft: (left: number, of: number) => `${left} of ${of} attempt${of === 1 ? '' : 's'} left`,
  rightAnswer: 'Right answer:',
  why: 'Why:',
  pickOne: 'Choose one answer first.',
  pickSome: 'Tick at least one answer first.',
  typeSome: 'Type an answer first.',
  multipleHint: 'Tick every right answer.',
  question: (n: number) => `Question ${n}`,
  checkpoint: 'Graded checkpoint',
  practice: 'Practice quiz',
  notTaken: 'not taken',
  noRunner: 'Answers are graded by the lab runner, which this page cannot reach:',
}

export type QuizText = typeof quizEn

const quizKo: QuizText = {
  check: '답 확인',
  checking: '확인 중…',
  right: '정답',
  closed: '마감',
  open: '아직 답하지 않음',
  score: (passed, total) => `${total}문제 중 ${passed}문제 정답`,
  attemptsLeft: (left, of) => `남은 기회 ${left}/${of}`,
  rightAnswer: '정답:',
  why: '설명:',
  pickOne: '먼저 답을 하나 고르십시오.',
  pickSome: '먼저 답을 하나 이상 고르십시오.',
  typeSome: '먼저 답을 입력하십시오.',
  multipleHint: '맞는 답을 모두 고르십시오.',
  question: (n) => `문제 ${n}`,
  checkpoint: '채점되는 체크포인트',
  practice: '연습 퀴즈',
  notTaken: '응시 전',
  noRunner: '답은 실습 러너가 채점하는데, 이 페이지에서 러너에 연결할 수 없습니다:',
}

export const QUIZ_TEXT: Record<Lang, QuizText> = { en: quizEn, ko: quizKo }

// Every string the lab UI shows, in each language (runner/src/common/langs.ts).
// Components take the page's language from VitePress (`useData().lang`) and
// read their words here; test/translations.test.ts fails on a missing one.
import { computed, type ComputedRef } from 'vue'
import { useData } from 'vitepress'
import { langOfTag, type Lang } from '../../../../runner/src/common/langs.ts'
import { attemptsNote, type AttemptRules } from '../../../../runner/src/common/attempts.ts'
import type { Level } from '../../../../runner/src/common/lab-schema.ts'
import type { LabProgress } from './lab-progress.ts'
import type { ValueUnit } from './chart-scale.ts'

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

/**
 * A site link in the page's language: "/labs/x" on a Korean page is "/ko/labs/x".
 * Only site paths ("/…") change; links already under /ko/, and other links, stay as they are.
 */
export function localePath(lang: Lang, path: string): string {
  if (lang === 'en' || !path.startsWith('/') || path.startsWith('//') || path === '/ko' || path.startsWith('/ko/')) return path
  return `/ko${path}`
}

// ---- LabWorkbench.vue: the lab panel ----

const workbenchEn = {
  stageImage: 'Lab image',
  stageVm: 'Virtual machine',
  stageContainer: 'Container',
  stageSetup: 'Fault workload',
  stageReady: 'Ready',
  looking: 'looking for a running lab…',
  stopping: 'stopping…',
  degraded: 'lab unreachable · waiting for it to come back',
  resetting: 'resetting…',
  starting: 'starting…',
  running: (passed: number, total: number) => `running · ${passed}/${total} tasks done`,
  notRunning: 'not running',
  confirmStop: 'Stop the lab? Its environment is removed; tasks you passed stay recorded on this page.',
  confirmReset: 'Reset the lab to its starting state? Your changes inside it are lost; passed tasks stay passed.',
  panelLabel: (title: string) => `Lab panel: ${title}`,
  showPanel: 'Show the lab panel',
  foldPanel: 'Fold the lab panel away',
  start: 'Start',
  reset: 'Reset',
  stop: 'Stop',
  run: 'Run',
  failedIdle: 'The lab did not start. The message above says why; fix it and press Start again.',
  /** The idle text around its two <strong> words (Start, Run): before, between (with the environment), after. */
  idleBefore: 'Press ',
  idleMiddle: (env: string) => ` to get a shell in this lab's ${env}, with the fault already running. Commands in the steps have a `,
  idleAfter: ' button that types them here.',
  envVm: 'virtual machine',
  envContainer: 'container',
  terminalView: 'Terminal view',
  /** After the <kbd>Esc</kbd> <kbd>Tab</kbd> keys. */
  leaveKeys: ' leaves the terminal',
  picturesCloseTitle: 'Close the pictures and show the steps',
  picturesOpenTitle: 'Pictures of your lab\'s data: flame graphs, ktrace charts',
  pictures: 'Pictures',
  newPicture: ' (a new picture)',
  smallerTitle: 'Smaller font (Ctrl+-)',
  smaller: 'Smaller terminal font',
  largerTitle: 'Larger font (Ctrl+=)',
  larger: 'Larger terminal font',
  maximiseTitle: (maximised: boolean) => `${maximised ? 'Restore' : 'Maximise'} the terminal (Ctrl+Shift+Enter)`,
  restore: 'Restore',
  maximise: 'Maximise',
  passedBadge: (passed: number, total: number) => `${passed}/${total} tasks`,
  tasks: 'Tasks',
  taskLabel: (n: number, title: string, done: boolean) => `Task ${n}: ${title}${done ? ' (done)' : ''}`,
  splitter: 'Resize the lab panel (arrow keys)',
}

export type WorkbenchText = typeof workbenchEn

const workbenchKo: WorkbenchText = {
  stageImage: '실습 이미지',
  stageVm: '가상 머신',
  stageContainer: '컨테이너',
  stageSetup: '장애 워크로드',
  stageReady: '준비 완료',
  looking: '실행 중인 실습을 찾는 중…',
  stopping: '중지하는 중…',
  degraded: '실습에 연결할 수 없음 · 다시 연결되기를 기다리는 중',
  resetting: '초기화하는 중…',
  starting: '시작하는 중…',
  running: (passed, total) => `실행 중 · 과제 ${passed}/${total}개 완료`,
  notRunning: '실행 중이 아님',
  confirmStop: '실습을 중지하시겠습니까? 실습 환경은 삭제되지만, 통과한 과제는 이 페이지에 기록으로 남습니다.',
  confirmReset: '실습을 처음 상태로 초기화하시겠습니까? 실습 안에서 바꾼 내용은 사라지고, 통과한 과제는 통과한 상태로 남습니다.',
  panelLabel: (title) => `실습 패널: ${title}`,
  showPanel: '실습 패널 보기',
  foldPanel: '실습 패널 접기',
  start: '시작',
  reset: '초기화',
  stop: '중지',
  run: '실행',
  failedIdle: '실습이 시작되지 않았습니다. 위 메시지에 이유가 나와 있습니다. 문제를 고친 뒤 다시 시작을 누르십시오.',
  idleBefore: '',
  idleMiddle: (env) => `을 누르면 이 실습의 ${env}에서 셸이 열리고, 장애는 이미 일어나고 있습니다. 단계에 나오는 명령에는 명령을 여기에 입력해 주는 `,
  idleAfter: ' 버튼이 있습니다.',
  envVm: '가상 머신',
  envContainer: '컨테이너',
  terminalView: '터미널 보기',
  leaveKeys: ' 키로 터미널에서 나갑니다',
  picturesCloseTitle: '그림을 닫고 단계 보기',
  picturesOpenTitle: '실습 데이터의 그림: 플레임 그래프, ktrace 차트',
  pictures: '그림',
  newPicture: ' (새 그림)',
  smallerTitle: '글꼴 작게 (Ctrl+-)',
  smaller: '터미널 글꼴 작게',
  largerTitle: '글꼴 크게 (Ctrl+=)',
  larger: '터미널 글꼴 크게',
  maximiseTitle: (maximised) => `터미널 ${maximised ? '원래 크기로' : '최대화'} (Ctrl+Shift+Enter)`,
  restore: '원래 크기로',
  maximise: '최대화',
  passedBadge: (passed, total) => `과제 ${passed}/${total}`,
  tasks: '과제',
  taskLabel: (n, title, done) => `과제 ${n}: ${title}${done ? ' (완료)' : ''}`,
  splitter: '실습 패널 크기 조절 (화살표 키)',
}

export const WORKBENCH_TEXT: Record<Lang, WorkbenchText> = { en: workbenchEn, ko: workbenchKo }

// ---- LabTask.vue: one task card ----

const taskEn = {
  done: 'done',
  closed: 'closed',
  attempts: (n: number) => `${n} attempt${n === 1 ? '' : 's'}`,
  toDo: 'to do',
  submit: 'Submit',
  checking: 'Checking…',
  check: 'Check',
  checkHelp: 'The runner checks this inside the lab.',
  anotherHint: 'Another hint',
  showHint: 'Show a hint',
  hintsLeft: (n: number) => `(${n} left)`,
  /** The line beside the answer field before any answer in this session (the lab's rules). */
  rulesNote: (rules: AttemptRules) => attemptsNote(rules, 0, false),
}

export type TaskText = typeof taskEn

const taskKo: TaskText = {
  done: '완료',
  closed: '마감',
  attempts: (n) => `${n}회 시도`,
  toDo: '할 일',
  submit: '제출',
  checking: '검사 중…',
  check: '검사',
  checkHelp: '러너가 실습 안에서 검사합니다.',
  anotherHint: '힌트 하나 더',
  showHint: '힌트 보기',
  hintsLeft: (n) => `(${n}개 남음)`,
  rulesNote: (rules) => attemptsNote(rules, 0, false, 'ko'),
}

export const TASK_TEXT: Record<Lang, TaskText> = { en: taskEn, ko: taskKo }

// ---- LabPictures.vue: the Pictures pane ----

const picturesEn = {
  busyProfile: (seconds: number) => `Profiling the lab for ${seconds} s…`,
  busyPerfData: 'Reading /root/perf.data…',
  busyList: 'Looking for pictures…',
  busyPicture: 'Loading the picture…',
  title: 'Pictures',
  note: 'of your lab\'s data, drawn in this browser',
  closeLabel: 'Close the pictures and show the steps',
  close: 'Close',
  makeLabel: 'Make a picture',
  profileTitle: (seconds: number) => `Record the lab's processes with perf for ${seconds} s and draw a flame graph`,
  profile: (seconds: number) => `Profile ${seconds} s`,
  perfDataTitle: 'Draw a flame graph of /root/perf.data (what your perf record saved)',
  perfData: 'Draw perf.data',
  refreshTitle: 'Look for new pictures',
  refresh: 'Refresh',
  startFirst: 'Start the lab to make pictures of it.',
  readingTimeline: 'Reading the lab\'s latency log…',
  listLabel: 'Pictures, newest first',
  kindFlame: 'flame',
  kindChart: 'chart',
  /** "No pictures yet" around its fixed elements: <strong>Profile</strong> <code>perf record</code> <strong>Draw perf.data</strong> <code>ktrace</code> <code>--json</code>. */
  none1: 'No pictures yet. Press ',
  noneProfile: 'Profile',
  none2: ', or run ',
  none3: ' and press ',
  none4: ', or run a ',
  none5: ' mode with ',
  none6: ' in the terminal.',
}

export type PicturesText = typeof picturesEn

const picturesKo: PicturesText = {
  busyProfile: (seconds) => `실습을 ${seconds}초 동안 프로파일하는 중…`,
  busyPerfData: '/root/perf.data를 읽는 중…',
  busyList: '그림을 찾는 중…',
  busyPicture: '그림을 불러오는 중…',
  title: '그림',
  note: '실습 데이터를 이 브라우저에서 그린 것',
  closeLabel: '그림을 닫고 단계 보기',
  close: '닫기',
  makeLabel: '그림 만들기',
  profileTitle: (seconds) => `실습의 프로세스를 perf로 ${seconds}초 동안 기록하고 플레임 그래프를 그립니다`,
  profile: (seconds) => `프로파일 ${seconds}초`,
  perfDataTitle: '/root/perf.data(perf record가 저장한 것)의 플레임 그래프를 그립니다',
  perfData: 'perf.data 그리기',
  refreshTitle: '새 그림 찾기',
  refresh: '새로 고침',
  startFirst: '그림을 만들려면 실습을 시작하십시오.',
  readingTimeline: '실습의 지연 기록을 읽는 중…',
  listLabel: '그림, 최신순',
  kindFlame: '플레임',
  kindChart: '차트',
  none1: '아직 그림이 없습니다. ',
  noneProfile: '프로파일',
  none2: '을 누르거나, ',
  none3: '를 실행한 뒤 ',
  none4: '를 누르거나, 터미널에서 ',
  none5: ' 모드를 ',
  none6: ' 옵션과 함께 실행하십시오.',
}

export const PICTURES_TEXT: Record<Lang, PicturesText> = { en: picturesEn, ko: picturesKo }

// ---- LabTimeline.vue: latency over time ----

const timelineEn = {
  noRequests: 'No requests logged yet.',
  lastSecond: (p50: string, max: string, n: number) => `last second: p50 ${p50}, max ${max}, ${n} requests`,
  spikes: (spikes: number, seconds: number, slow: string) => `; ${spikes} of the last ${seconds} s had a request slower than ${slow}`,
  max: 'max',
  p50: 'p50',
  slow: 'slow',
  svgTitle: 'Save this plot as an SVG file (made in this browser)',
  bar: (time: string, max: string, p50: string, n: number, errors: number) => `${time}: max ${max}, p50 ${p50}, ${n} requests${errors ? `, ${errors} failed` : ''}`,
  slowAbove: (slow: string) => `slow above ${slow}`,
}

export type TimelineText = typeof timelineEn

const timelineKo: TimelineText = {
  noRequests: '아직 기록된 요청이 없습니다.',
  lastSecond: (p50, max, n) => `마지막 1초: p50 ${p50}, 최대 ${max}, 요청 ${n}개`,
  spikes: (spikes, seconds, slow) => `; 최근 ${seconds}초 중 ${spikes}초에 ${slow}보다 느린 요청이 있었습니다`,
  max: '최대',
  p50: 'p50',
  slow: '느림',
  svgTitle: '이 그래프를 SVG 파일로 저장 (이 브라우저에서 만듦)',
  bar: (time, max, p50, n, errors) => `${time}: 최대 ${max}, p50 ${p50}, 요청 ${n}개${errors ? `, 실패 ${errors}개` : ''}`,
  slowAbove: (slow) => `느림 기준 ${slow}`,
}

export const TIMELINE_TEXT: Record<Lang, TimelineText> = { en: timelineEn, ko: timelineKo }

// ---- LabComplete.vue: the end of a lab ----

const completeEn = {
  caseStudy: (title: string) => `Case study: ${title}`,
  thisLab: 'this lab',
  underMinute: 'under a minute',
  minutes: (m: number) => `${m} min`,
  hours: (h: number, m: number) => `${h} h ${m} min`,
  allPassed: (n: number) => `All ${n} task${n === 1 ? '' : 's'} passed`,
  noHints: 'no hints used',
  hintsUsed: (n: number) => `${n} hint${n === 1 ? '' : 's'} used`,
  activeWork: (duration: string) => `${duration} of active work`,
  solutionOpened: 'solution opened',
  title: 'Lab complete',
  readNext: 'Read next',
  nextLab: (title: string) => `Next lab: ${title} →`,
  lastLab: 'That was the last lab on the roadmap. ',
  backToRoadmap: 'Back to the roadmap',
}

export type CompleteText = typeof completeEn

const completeKo: CompleteText = {
  caseStudy: (title) => `사례 연구: ${title}`,
  thisLab: '이 실습',
  underMinute: '1분 미만',
  minutes: (m) => `${m}분`,
  hours: (h, m) => `${h}시간 ${m}분`,
  allPassed: (n) => `과제 ${n}개 모두 통과`,
  noHints: '힌트 사용 안 함',
  hintsUsed: (n) => `힌트 ${n}개 사용`,
  activeWork: (duration) => `실제 작업 시간 ${duration}`,
  solutionOpened: '풀이 열람',
  title: '실습 완료',
  readNext: '다음에 읽을 글',
  nextLab: (title) => `다음 실습: ${title} →`,
  lastLab: '로드맵의 마지막 실습이었습니다. ',
  backToRoadmap: '로드맵으로 돌아가기',
}

export const COMPLETE_TEXT: Record<Lang, CompleteText> = { en: completeEn, ko: completeKo }

// ---- LabSolution.vue: the worked solution ----

const solutionEn = {
  ask: 'Show the solution…',
  dialog: 'Show the solution?',
  warning: 'You learn more by getting stuck for a while. Try the hints first — showing the solution is recorded with your progress.',
  confirm: 'Yes, show it',
  notYet: 'Not yet',
}

export type SolutionText = typeof solutionEn

const solutionKo: SolutionText = {
  ask: '풀이 보기…',
  dialog: '풀이를 보시겠습니까?',
  warning: '한동안 막혀 보는 편이 더 많이 배웁니다. 먼저 힌트를 써 보십시오. 풀이를 보면 진행 기록에 남습니다.',
  confirm: '예, 풀이 보기',
  notYet: '아직 보지 않기',
}

export const SOLUTION_TEXT: Record<Lang, SolutionText> = { en: solutionEn, ko: solutionKo }

// ---- LabMeta.vue: a lab's level, time and environment ----

const metaEn = {
  level: { beginner: 'beginner', intermediate: 'intermediate', advanced: 'advanced' } as Record<Level, string>,
  minutes: (n: number) => `${n} min`,
  vm: 'virtual machine',
  container: 'container',
}

export type MetaText = typeof metaEn

const metaKo: MetaText = {
  level: { beginner: '초급', intermediate: '중급', advanced: '고급' },
  minutes: (n) => `${n}분`,
  vm: '가상 머신',
  container: '컨테이너',
}

export const META_TEXT: Record<Lang, MetaText> = { en: metaEn, ko: metaKo }

// ---- LabStatus.vue: done / in progress / not started ----

export interface StatusText { label: Record<LabProgress, string> }

const statusEn: StatusText = { label: { 'done': '✓ done', 'in-progress': 'in progress', 'not-started': 'not started' } }
const statusKo: StatusText = { label: { 'done': '✓ 완료', 'in-progress': '진행 중', 'not-started': '시작 전' } }

export const STATUS_TEXT: Record<Lang, StatusText> = { en: statusEn, ko: statusKo }

// ---- LabJoin.vue: joining a workshop ----

const joinEn = {
  ended: 'This workshop has ended. Thank you for taking part!',
  confirmLeave: 'Leave this workshop on this browser? Your work stays recorded, but you need the instructor to join again under another name.',
  /** "You are <strong>name</strong> in <strong>workshop</strong>. …" around its two <strong>s. */
  joined1: 'You are ',
  joined2: ' in ',
  joined3: '. Open a lab and press Start; your instructor sees your progress.',
  leave: 'Leave this workshop',
  code: 'Join code',
  name: 'Your name',
  namePlaceholder: 'as your instructor should see it',
  join: 'Join',
}

export type JoinText = typeof joinEn

const joinKo: JoinText = {
  ended: '이 워크숍은 끝났습니다. 참여해 주셔서 감사합니다!',
  confirmLeave: '이 브라우저에서 워크숍을 나가시겠습니까? 작업 기록은 남지만, 다시 참가하려면 강사에게 요청해 다른 이름으로 참가해야 합니다.',
  joined1: '',
  joined2: ' 님은 ',
  joined3: ' 워크숍에 참가했습니다. 실습을 열고 시작을 누르십시오. 강사가 진행 상황을 봅니다.',
  leave: '이 워크숍 나가기',
  code: '참가 코드',
  name: '이름',
  namePlaceholder: '강사에게 보일 이름',
  join: '참가',
}

export const JOIN_TEXT: Record<Lang, JoinText> = { en: joinEn, ko: joinKo }

// ---- LabChart.vue: one ktrace chart ----

const chartEn = {
  histogramAxis: (time: boolean) => `events per bucket (bucket bounds in ${time ? 'time' : 'bytes'})`,
  axis: { count: 'count', 'per-second': 'per second', ns: 'total time', bytes: 'bytes' } as Record<Exclude<ValueUnit, 'ms'>, string>,
  svgTitle: 'Save this chart as an SVG file (made in this browser)',
  nothing: 'Nothing was measured.',
  bars: (title: string, n: number) => `${title}: ${n} bars`,
}

export type ChartText = typeof chartEn

const chartKo: ChartText = {
  histogramAxis: (time) => `버킷별 이벤트 수 (버킷 경계: ${time ? '시간' : '바이트'})`,
  axis: { count: '횟수', 'per-second': '초당', ns: '총 시간', bytes: '바이트' },
  svgTitle: '이 차트를 SVG 파일로 저장 (이 브라우저에서 만듦)',
  nothing: '측정된 것이 없습니다.',
  bars: (title, n) => `${title}: 막대 ${n}개`,
}

export const CHART_TEXT: Record<Lang, ChartText> = { en: chartEn, ko: chartKo }

// ---- LabFlameGraph.vue: a flame graph ----

const flameEn = {
  samples: (n: number) => `${n.toLocaleString('en')} sample${n === 1 ? '' : 's'}`,
  describe: (name: string, samples: string, share: string) => `${name} — ${samples}, ${share} of all`,
  hoverHelp: 'Hover over or focus a frame to see its samples; click it to zoom in.',
  searchLabel: 'Search frames',
  searchPlaceholder: 'Search functions',
  matched: (share: string, frames: number) => `matched ${share} of samples (${frames} frame${frames === 1 ? '' : 's'})`,
  noMatch: 'no frame matches',
  resetZoom: 'Reset zoom',
  svgTitle: 'Save this picture as an SVG file (made in this browser)',
  svgLabel: (title: string) => `Flame graph: ${title}. Arrow keys move between frames, Enter zooms, Escape resets the zoom.`,
}

export type FlameText = typeof flameEn

const flameKo: FlameText = {
  samples: (n) => `샘플 ${n.toLocaleString('en')}개`,
  describe: (name, samples, share) => `${name} — ${samples}, 전체의 ${share}`,
  hoverHelp: '프레임에 마우스를 올리거나 포커스하면 샘플 수가 보입니다. 클릭하면 확대합니다.',
  searchLabel: '프레임 검색',
  searchPlaceholder: '함수 검색',
  matched: (share, frames) => `샘플의 ${share} 일치 (프레임 ${frames}개)`,
  noMatch: '일치하는 프레임 없음',
  resetZoom: '확대 초기화',
  svgTitle: '이 그림을 SVG 파일로 저장 (이 브라우저에서 만듦)',
  svgLabel: (title) => `플레임 그래프: ${title}. 화살표 키로 프레임 사이를 이동하고, Enter로 확대하며, Escape로 확대를 초기화합니다.`,
}

export const FLAME_TEXT: Record<Lang, FlameText> = { en: flameEn, ko: flameKo }

// ---- LabLayout.vue: the skip link ----

const layoutEn = { skipToTerminal: 'Skip to the lab terminal' }

export type LayoutText = typeof layoutEn

const layoutKo: LayoutText = { skipToTerminal: '실습 터미널로 건너뛰기' }

export const LAYOUT_TEXT: Record<Lang, LayoutText> = { en: layoutEn, ko: layoutKo }

// ---- lab/terminal-connection.ts and lab/lab-session.ts ----
// Their words (TERMINAL_TEXT, SESSION_TEXT) live in those modules, in the same
// form: the unit tests load them in Node, where this file's `vitepress` import
// (useData) does not resolve. Re-exported here so every dictionary is found here.
export { TERMINAL_TEXT, type TerminalText } from './terminal-connection.ts'
export { SESSION_TEXT, type SessionText } from './lab-session.ts'

// ---- LabInstructor.vue: the instructor's dashboard ----

const instructorEn = {
  ownerToken: 'Owner token',
  ownerTokenPlaceholder: "from .data/owner-token on the runner's machine",
  useIt: 'Use it',
  newWorkshop: 'New workshop',
  title: 'Title',
  titlePlaceholder: 'e.g. Kernel debugging, cohort 3',
  labs: 'Labs',
  rootOnHost: 'root on this host',
  hostRootNote: (labs: string[], meaning: string) => `Offering ${labs.join(' and ')} means ${meaning}. The runner offers such a lab in a workshop only when it was started with `,
  hostRootNoteEnd: '; for learners you would not give root on this machine, choose VM labs.',
  seats: 'Seats',
  lengthMinutes: 'Length (minutes)',
  create: 'Create',
  workshop: 'Workshop',
  state: { scheduled: 'scheduled', open: 'open', ended: 'ended', closed: 'closed' } as Record<string, string>,
  joinCode: 'Join code',
  link: 'Link',
  summary: (state: string, taken: number, seats: number, ends: string) => `${state} · ${taken}/${seats} seats · ends ${ends}`,
  exportCsv: 'Export CSV',
  exportJson: 'Export JSON',
  endWorkshop: 'End workshop',
  confirmEnd: (title: string) => `End "${title}" now? Every learner's lab is stopped.`,
  live: '● live',
  connecting: '○ connecting…',
  updated: (time: string) => `updated ${time}`,
  learner: 'Learner',
  taskTitle: (id: string, status: string, closed: boolean, attempts: number, wrong: number, score: number) =>
    `${id}: ${closed ? 'closed (attempt limit used)' : status}, ${attempts} attempt(s), ${wrong} wrong, score ${score}`,
  scoreTitle: 'score after attempt penalties',
  score: (n: number) => ` · score ${n}`,
  closedTitle: 'questions closed by their attempt limit',
  closed: (n: number) => ` · ${n} closed`,
  minutes: (s: number) => `${Math.round(s / 60)} min`,
  hints: (n: number) => ` · ${n} hint(s)`,
  solutionTitle: 'solution shown',
  solution: ' · solution',
  runningTitle: 'lab running now',
  questionTitle: (id: string, passed: boolean, closed: boolean, attempts: number) => `${id}: ${passed ? 'right' : closed ? 'closed' : 'open'}, ${attempts} attempt(s)`,
  nobody: 'Nobody has joined yet.',
  passed: 'passed',
  notYet: 'not yet',
}

export type InstructorText = typeof instructorEn

const instructorKo: InstructorText = {
  ownerToken: '소유자 토큰',
  ownerTokenPlaceholder: '러너가 도는 머신의 .data/owner-token에서',
  useIt: '사용',
  newWorkshop: '새 워크숍',
  title: '제목',
  titlePlaceholder: '예: 커널 디버깅 3기',
  labs: '실습',
  rootOnHost: '이 호스트의 root',
  hostRootNote: (labs, meaning) => `${labs.join(', ')}을(를) 제공하면 ${meaning}. 러너는 이런 실습을 다음 옵션으로 시작했을 때만 워크숍에 제공합니다: `,
  hostRootNoteEnd: '. 이 머신의 root를 줄 수 없는 학습자에게는 VM 실습을 고르십시오.',
  seats: '좌석',
  lengthMinutes: '길이(분)',
  create: '만들기',
  workshop: '워크숍',
  state: { scheduled: '예정', open: '진행 중', ended: '끝남', closed: '닫힘' },
  joinCode: '참가 코드',
  link: '링크',
  summary: (state, taken, seats, ends) => `${state} · 좌석 ${taken}/${seats} · ${ends}에 끝남`,
  exportCsv: 'CSV 내보내기',
  exportJson: 'JSON 내보내기',
  endWorkshop: '워크숍 끝내기',
  confirmEnd: (title) => `"${title}"을(를) 지금 끝낼까요? 모든 학습자의 실습이 중지됩니다.`,
  live: '● 실시간',
  connecting: '○ 연결 중…',
  updated: (time) => `${time} 갱신`,
  learner: '학습자',
  taskTitle: (id, status, closed, attempts, wrong, score) =>
    `${id}: ${closed ? '마감 (기회를 모두 씀)' : status === 'passed' ? '통과' : status === 'failed' ? '실패' : '대기'}, 시도 ${attempts}회, 오답 ${wrong}회, 점수 ${score}`,
  scoreTitle: '오답 감점 뒤 점수',
  score: (n) => ` · 점수 ${n}`,
  closedTitle: '기회를 모두 써서 마감된 문제',
  closed: (n) => ` · 마감 ${n}개`,
  minutes: (s) => `${Math.round(s / 60)}분`,
  hints: (n) => ` · 힌트 ${n}개`,
  solutionTitle: '풀이를 봄',
  solution: ' · 풀이',
  runningTitle: '지금 실행 중인 실습',
  questionTitle: (id, passed, closed, attempts) => `${id}: ${passed ? '맞힘' : closed ? '마감' : '열림'}, 시도 ${attempts}회`,
  nobody: '아직 아무도 참가하지 않았습니다.',
  passed: '통과',
  notYet: '아직',
}

export const INSTRUCTOR_TEXT: Record<Lang, InstructorText> = { en: instructorEn, ko: instructorKo }

// ---- LabHost.vue: "this host" ----

const hostEn = {
  impact: { 'cannot-start': 'cannot start', 'tool-fails': 'a tool fails', slower: 'slower' } as Record<string, string>,
  checking: 'Checking this host… (a few seconds: Docker, tracefs, probes, QEMU, Chromium)',
  allWork: 'Every capability a lab needs works on this host.',
  blocked: (titles: string[]) => `Labs cannot run fully here: ${titles.join(', ')} ${titles.length > 1 ? 'are' : 'is'} missing.`,
  counts: (ok: number, degraded: number, missing: number) => `${ok} ok · ${degraded} degraded · ${missing} missing`,
  kernel: 'kernel',
  cpus: (n: number) => `${n} CPUs`,
  vmLabs: 'VM labs:',
  accelUnknown: 'accelerator not known yet',
  checkedAt: (time: string) => `Checked ${time}`,
  checkAgain: 'Check again',
  checkingShort: 'Checking…',
  columns: ['Capability', 'Status', 'Detail', 'Fix', 'Affects'],
  status: { ok: 'ok', degraded: 'degraded', missing: 'missing' } as Record<string, string>,
  why: 'Why:',
  tools: 'tools:',
  in: 'in',
  imagesNoRunner: 'The runner is not answering: no image list.',
  imageColumns: ['Lab', 'Runs in', 'Image', 'Progress'],
  backend: { container: 'container', vm: 'VM' } as Record<string, string>,
  imageState: { ready: 'ready', queued: 'waiting to build', building: 'building', failed: 'failed', unknown: 'not built yet' } as Record<string, string>,
  builtIn: (s: number) => `built in ${s} s`,
  vmAtFirstStart: 'built when a VM lab is first started',
  poolSingle: 'One machine: container labs run on this runner\'s own Docker Engine.',
  poolScaleOut: 'To spread a workshop over several machines, see',
  poolScaleOutLink: 'Scaling out',
  poolSwarm: (taking: number, all: number) => `Docker Swarm: ${taking} of ${all} machines take labs.`,
  poolError: 'The swarm manager did not answer:',
  poolNeedsToken: 'The pool is shown to the runner\'s owner: give the owner token above.',
  poolColumns: ['Machine', 'State', 'Labs', 'Memory reserved'],
  poolTakes: 'takes labs',
  poolManager: 'manager',
  poolMemory: (reservedGiB: string, totalGiB: string) => `${reservedGiB} of ${totalGiB} GiB`,
}

export type HostText = typeof hostEn

const hostKo: HostText = {
  impact: { 'cannot-start': '시작 불가', 'tool-fails': '도구 하나가 실패', slower: '느려짐' },
  checking: '이 호스트를 확인하는 중… (몇 초: Docker, tracefs, 프로브, QEMU, Chromium)',
  allWork: '실습에 필요한 모든 기능이 이 호스트에서 동작합니다.',
  blocked: (titles) => `여기서는 실습을 온전히 실행할 수 없습니다: ${titles.join(', ')} 없음.`,
  counts: (ok, degraded, missing) => `정상 ${ok} · 저하 ${degraded} · 없음 ${missing}`,
  kernel: '커널',
  cpus: (n) => `CPU ${n}개`,
  vmLabs: 'VM 실습:',
  accelUnknown: '가속기를 아직 모름',
  checkedAt: (time) => `${time}에 확인함`,
  checkAgain: '다시 확인',
  checkingShort: '확인 중…',
  columns: ['기능', '상태', '자세히', '고치는 법', '영향'],
  status: { ok: '정상', degraded: '저하', missing: '없음' },
  why: '이유:',
  tools: '도구:',
  in: '위치:',
  imagesNoRunner: '러너가 응답하지 않아 이미지 목록이 없습니다.',
  imageColumns: ['실습', '실행 환경', '이미지', '진행'],
  backend: { container: '컨테이너', vm: 'VM' },
  imageState: { ready: '준비됨', queued: '빌드 대기', building: '빌드 중', failed: '실패', unknown: '아직 빌드 안 됨' },
  builtIn: (s) => `${s}초 만에 빌드됨`,
  vmAtFirstStart: 'VM 실습을 처음 시작할 때 빌드됨',
  poolSingle: '머신 한 대: 컨테이너 실습은 이 러너의 Docker Engine에서 돕니다.',
  poolScaleOut: '워크숍을 여러 머신으로 나누려면 다음을 보십시오:',
  poolScaleOutLink: '워크숍을 여러 머신으로 늘리기',
  poolSwarm: (taking, all) => `Docker Swarm: 머신 ${all}대 중 ${taking}대가 실습을 받습니다.`,
  poolError: '스웜 매니저가 응답하지 않았습니다:',
  poolNeedsToken: '풀은 러너 소유자에게만 보입니다: 위에서 소유자 토큰을 넣으십시오.',
  poolColumns: ['머신', '상태', '실습', '예약된 메모리'],
  poolTakes: '실습 받음',
  poolManager: '매니저',
  poolMemory: (reservedGiB, totalGiB) => `${totalGiB} GiB 중 ${reservedGiB} GiB`,
}

export const HOST_TEXT: Record<Lang, HostText> = { en: hostEn, ko: hostKo }

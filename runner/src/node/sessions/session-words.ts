// What a lab session says to its learner — start progress, refusals, outages,
// notices — in every language the site is read in. The runner words a message
// in the language of the request (or terminal) it goes to; logs and the CLI read
// the English. Details quoted from a tool (a Docker error, a script's output)
// stay as the tool wrote them.
import type { BackendKind } from '../../common/lab-schema.ts';
import type { Words } from '../../common/langs.ts';

/**
 * What the lab runs in, as the learner calls it, with the Korean particles its last
 * sound takes (컨테이너를/가/는 after a vowel, 가상 머신을/이/은 after a consonant).
 */
function env(kind: BackendKind): { en: string; ko: string; koObject: string; koSubject: string; koTopic: string } {
  return kind === 'vm'
    ? { en: 'virtual machine', ko: '가상 머신', koObject: '가상 머신을', koSubject: '가상 머신이', koTopic: '가상 머신은' }
    : { en: 'container', ko: '컨테이너', koObject: '컨테이너를', koSubject: '컨테이너가', koTopic: '컨테이너는' };
}

/** The backend's name as a Korean subject: QEMU가 (read 큐에뮤), Docker Engine이 (엔진). */
function backendSubject(kind: BackendKind): string {
  return kind === 'vm' ? 'QEMU가' : 'Docker Engine이';
}

/** The program that runs it, by name (not translated). */
export function backendName(kind: BackendKind): string {
  return kind === 'vm' ? 'QEMU' : 'Docker Engine';
}

export const SAY = {
  // ---- a start's stages ----
  preparingImage: (): Words => ({ en: 'preparing the lab image', ko: '실습 이미지를 준비하는 중' }),
  startingEnvironment: (kind: BackendKind): Words => ({ en: `starting the ${kind}`, ko: `${env(kind).koObject} 시작하는 중` }),
  startingWorkload: (): Words => ({ en: 'starting the fault workload', ko: '장애 워크로드를 시작하는 중' }),
  ready: (): Words => ({ en: 'the lab is ready', ko: '실습이 준비되었습니다' }),

  // ---- a start that failed ----
  imageFailed: (detail: string): Words => ({ en: `the lab image could not be prepared: ${detail}`, ko: `실습 이미지를 준비하지 못했습니다: ${detail}` }),
  setupCutOff: (detail: string): Words => ({ en: `the lab's setup was cut off: ${detail}`, ko: `실습 설정이 도중에 끊겼습니다: ${detail}` }),
  setupFailed: (detail: string): Words => ({ en: `the lab's setup failed: ${detail}`, ko: `실습 설정이 실패했습니다: ${detail}` }),
  didNotStart: (detail: string): Words => ({ en: `the lab did not start: ${detail}`, ko: `실습이 시작되지 않았습니다: ${detail}` }),
  /** A backend's own error (quoted) with the command that fixes it. */
  backendError: (message: string, fix?: string): Words => ({ en: fix ? `${message}. ${fix}` : message, ko: fix ? `${message}. ${fix}` : message }),

  // ---- a lab that ended on its own ----
  stoppedUnexpectedly: (kind: BackendKind): Words => ({
    en: `the lab's ${env(kind).en} stopped unexpectedly; start the lab again`,
    ko: `실습 ${env(kind).koSubject} 예기치 않게 멈췄습니다. 실습을 다시 시작하십시오`,
  }),
  startInterrupted: (kind: BackendKind): Words => ({
    en: `the lab's start was interrupted while ${backendName(kind)} was unreachable; reset or start the lab again`,
    ko: `${backendName(kind)}에 연결할 수 없는 동안 실습 시작이 중단되었습니다. 실습을 초기화하거나 다시 시작하십시오`,
  }),
  vanished: (kind: BackendKind): Words => ({
    en: `the lab's ${env(kind).en} vanished while ${backendName(kind)} was unreachable; start the lab again`,
    ko: `${backendName(kind)}에 연결할 수 없는 동안 실습 ${env(kind).koSubject} 사라졌습니다. 실습을 다시 시작하십시오`,
  }),
  diskQuota: (used: string, quota: string): Words => ({
    en: `this lab wrote ${used} to its disk, over its quota of ${quota}, and was stopped so the host's disk stays free; start it again for a fresh lab`,
    ko: `이 실습이 디스크에 ${used}를 써서 할당량 ${quota}를 넘었으므로 호스트 디스크를 지키기 위해 중지되었습니다. 다시 시작하면 새 실습을 받습니다`,
  }),

  // ---- outages ----
  outage: (cause: Words, kind: BackendKind, retrySeconds: number): Words => ({
    en: `${cause.en}; the lab's ${env(kind).en} may still exist; the runner retries every ${retrySeconds} s`,
    ko: `${cause.ko}. 실습 ${env(kind).koTopic} 아직 남아 있을 수 있으며, 러너가 ${retrySeconds}초마다 다시 시도합니다`,
  }),
  waitingForBackend: (kind: BackendKind): Words => ({
    en: `${backendName(kind)} is unreachable; waiting for it to come back`,
    ko: `${backendName(kind)}에 연결할 수 없습니다. 다시 응답하기를 기다리는 중입니다`,
  }),
  backendUnreachable: (kind: BackendKind): Words => ({ en: `${backendName(kind)} is unreachable`, ko: `${backendName(kind)}에 연결할 수 없습니다` }),
  recovered: (kind: BackendKind): Words => ({
    en: `${backendName(kind)} answers again and the lab survived; here is a new shell`,
    ko: `${backendSubject(kind)} 다시 응답하고 실습도 살아 있습니다. 새 셸을 엽니다`,
  }),
  notRemovedYet: (kind: BackendKind, detail: string, outage: boolean): Words => ({
    en: `the lab is stopping, but its ${env(kind).en} could not be removed yet (${detail}); it will be removed ${outage ? `once ${backendName(kind)} answers again` : 'by the runner, which keeps trying'}`,
    ko: `실습을 중지하는 중이지만 ${env(kind).koObject} 아직 제거하지 못했습니다 (${detail}). ${outage ? `${backendSubject(kind)} 다시 응답하면` : '러너가 계속 시도하여'} 제거됩니다`,
  }),
  withOutage: (what: Words, outage: Words): Words => ({ en: `${what.en}; ${outage.en}`, ko: `${what.ko}. ${outage.ko}` }),

  // ---- checks ----
  checkCouldNotRun: (detail: Words): Words => ({ en: `the check could not run: ${detail.en}`, ko: `검사를 실행하지 못했습니다: ${detail.ko}` }),
  checkTimedOut: (seconds: number): Words => ({ en: `the check did not finish within ${seconds} s`, ko: `검사가 ${seconds}초 안에 끝나지 않았습니다` }),
  checkPassed: (): Words => ({ en: 'passed', ko: '통과' }),
  checkFailed: (exitCode: number): Words => ({ en: `failed (exit code ${exitCode})`, ko: `실패 (종료 코드 ${exitCode})` }),

  // ---- answers, hints, resets ----
  answerEmpty: (): Words => ({ en: 'the answer is empty', ko: '답이 비어 있습니다' }),
  answerTooLong: (max: number): Words => ({ en: `the answer is longer than ${max} characters`, ko: `답이 ${max}자보다 깁니다` }),
  notReset: (detail: Words): Words => ({ en: `the lab was not reset: ${detail.en}`, ko: `실습을 초기화하지 못했습니다: ${detail.ko}` }),
  stoppedBeforeReset: (): Words => ({ en: 'the lab was stopped before it could be reset', ko: '초기화하기 전에 실습이 중지되었습니다' }),
  stillStarting: (): Words => ({ en: 'the lab is still starting; reset it once it runs', ko: '실습이 아직 시작하는 중입니다. 실행된 뒤에 초기화하십시오' }),
  alreadyResetting: (): Words => ({ en: 'the lab is already being reset', ko: '실습을 이미 초기화하는 중입니다' }),
  beingReset: (): Words => ({ en: 'the lab is being reset', ko: '실습을 초기화하는 중입니다' }),
  stoppedStartAgain: (): Words => ({ en: 'the lab was stopped; start it again', ko: '실습이 중지되었습니다. 다시 시작하십시오' }),
  stoppedNoAnswers: (what: 'answers' | 'hints'): Words => ({
    en: `the lab was stopped; ${what} go to a running lab — start it again`,
    ko: `실습이 중지되었습니다. ${what === 'answers' ? '답은' : '힌트는'} 실행 중인 실습에서만 받습니다 — 다시 시작하십시오`,
  }),
  failedStartAgain: (reason: Words | null): Words => ({
    en: `the lab failed (${reason?.en ?? 'no reason given'}); start it again`,
    ko: `실습이 실패했습니다 (${reason?.ko ?? '이유가 주어지지 않음'}). 다시 시작하십시오`,
  }),
  notRunning: (phase: string): Words => ({ en: `the lab is ${phase}, not running`, ko: `실습이 실행 중이 아닙니다 (${phase})` }),
  notRecorded: (what: string, detail: string): Words => ({
    en: `the ${what} could not be recorded (${detail}); it has not been counted — try again`,
    ko: `기록하지 못했습니다 (${what}: ${detail}). 반영되지 않았으니 다시 시도하십시오`,
  }),
  noWrittenSolution: (): Words => ({ en: 'This lab has no written solution.', ko: '이 실습에는 작성된 풀이가 없습니다.' }),

  // ---- the runner's limits and the idle sweep ----
  shuttingDown: (): Words => ({ en: 'the runner is shutting down', ko: '러너가 종료하는 중입니다' }),
  runnerFull: (live: number, max: number): Words => ({
    en: `this runner already runs ${live} labs (its limit is ${max}); stop one first`,
    ko: `이 러너는 이미 실습 ${live}개를 실행하고 있습니다 (한도 ${max}개). 먼저 하나를 중지하십시오`,
  }),
  idleWarning: (seconds: number): Words => ({
    en: `this lab has been idle and stops in about ${seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`}; press any key to keep it`,
    ko: `이 실습은 한동안 사용되지 않아 약 ${seconds < 120 ? `${seconds}초` : `${Math.round(seconds / 60)}분`} 뒤에 중지됩니다. 유지하려면 아무 키나 누르십시오`,
  }),
  idleStopped: (): Words => ({ en: 'this lab was idle and has been stopped', ko: '이 실습은 사용되지 않아 중지되었습니다' }),
  labStopping: (): Words => ({ en: 'the lab is stopping', ko: '실습을 중지하는 중입니다' }),
  labWasStopped: (): Words => ({ en: 'the lab was stopped', ko: '실습이 중지되었습니다' }),
  tooManyTerminals: (max: number): Words => ({
    en: `this lab already has ${max} terminals open; close one`,
    ko: `이 실습에는 이미 터미널 ${max}개가 열려 있습니다. 하나를 닫으십시오`,
  }),
} as const;

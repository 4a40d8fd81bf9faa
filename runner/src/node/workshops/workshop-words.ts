// What the runner tells a workshop learner — joining, starting a lab, the
// workshop's end — in every language the site is read in (the learner's page
// asks in its own; the CLI and logs read the English).
import type { Words } from '../../common/langs.ts';

export const SAY_WORKSHOP = {
  notAJoinCode: (input: string, length: number): Words => ({
    en: `"${input}" is not a join code (expected ${length} letters and digits, like ABCD-EFGH)`,
    ko: `참가 코드가 아닙니다: "${input}" (ABCD-EFGH처럼 글자와 숫자 ${length}개여야 합니다)`,
  }),
  noSuchCode: (code: string): Words => ({
    en: `no workshop has join code ${code}; check it with your instructor`,
    ko: `참가 코드가 ${code}인 워크숍이 없습니다. 강사에게 코드를 확인하십시오`,
  }),
  opensAt: (title: string, at: string, joinThen: boolean): Words => ({
    en: `workshop "${title}" opens at ${at}${joinThen ? '; join then' : ''}`,
    ko: `워크숍 "${title}"의 시작 시각은 ${at}입니다${joinThen ? '. 그때 참가하십시오' : ''}`,
  }),
  endedAt: (title: string, at: string): Words => ({ en: `workshop "${title}" ended at ${at}`, ko: `${at}에 끝난 워크숍입니다: "${title}"` }),
  closedByInstructor: (title: string): Words => ({ en: `workshop "${title}" was closed by the instructor`, ko: `강사가 닫은 워크숍입니다: "${title}"` }),
  full: (title: string, taken: number, seats: number): Words => ({
    en: `workshop "${title}" is full (${taken} of ${seats} seats taken); ask the instructor for a seat`,
    ko: `워크숍 "${title}"에 자리가 없습니다 (${seats}석 중 ${taken}석 참). 강사에게 자리를 요청하십시오`,
  }),
  nameTaken: (name: string): Words => ({
    en: `someone in this workshop already uses the name "${name}" (names that differ only in case or character width count as the same); add an initial or a number`,
    ko: `이 워크숍에서 이미 누군가 쓰는 이름입니다: "${name}" (대소문자나 전각/반각만 다른 이름은 같은 이름으로 봅니다). 이니셜이나 숫자를 덧붙이십시오`,
  }),
  tooManyJoins: (seconds: number): Words => ({
    en: `too many failed joins from your address; try again in ${seconds} s`,
    ko: `이 주소에서 참가 실패가 너무 많았습니다. ${seconds}초 뒤에 다시 시도하십시오`,
  }),
  workshopGone: (): Words => ({ en: 'your workshop no longer exists', ko: '참가한 워크숍이 더 이상 없습니다' }),
  noMoreStarts: (title: string, closed: boolean): Words => ({
    en: `workshop "${title}" has ${closed ? 'been closed' : 'ended'}; labs can no longer be started`,
    ko: `${closed ? '닫힌' : '끝난'} 워크숍이라 더 이상 실습을 시작할 수 없습니다: "${title}"`,
  }),
  labNotInWorkshop: (labId: string, title: string, labs: readonly string[]): Words => ({
    en: `lab "${labId}" is not part of workshop "${title}" (its labs: ${labs.join(', ')})`,
    ko: `워크숍 "${title}"에 들어 있지 않은 실습입니다: "${labId}" (이 워크숍의 실습: ${labs.join(', ')})`,
  }),
  alreadyRunsLab: (labId: string, sessionId: string): Words => ({
    en: `you already run lab ${labId} as session ${sessionId}; open it (GET /api/sessions lists it with its token) or stop it first`,
    ko: `세션 ${sessionId}에서 이미 실행 중인 실습입니다: ${labId}. 그 세션을 열거나 (GET /api/sessions가 토큰과 함께 알려 줍니다) 먼저 중지하십시오`,
  }),
  tooManyLabs: (running: readonly string[], max: number): Words => ({
    en: `you already run ${running.length} labs (${running.join(', ')}); a learner may run ${max} at once — stop one first`,
    ko: `이미 실습 ${running.length}개를 실행하고 있습니다 (${running.join(', ')}). 한 사람이 동시에 ${max}개까지 실행할 수 있으니 먼저 하나를 중지하십시오`,
  }),
  endingSoon: (minutes: number): Words => ({
    en: `the workshop ends in about ${minutes} min; then this lab stops (your progress is kept)`,
    ko: `워크숍이 약 ${minutes}분 뒤에 끝나며, 그때 이 실습도 중지됩니다 (진행 기록은 남습니다)`,
  }),
  ended: (): Words => ({
    en: 'the workshop has ended; this lab is stopped (your progress is kept)',
    ko: '워크숍이 끝나 이 실습을 중지했습니다 (진행 기록은 남습니다)',
  }),
} as const;

// Where a Korean answer names the same thing as the English one (시스템 for
// the sy column, 약 40밀리초 for "about 40 ms"), the lab accepts it: answers are
// graded the same in both languages. Answers that are identifiers (a function,
// a device, a column letter) are typed the same in Korean and need nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLabs } from './registry.ts';
import { LABS_DIR } from '../util/paths.ts';
import { isCorrectAnswer } from '../../common/answers.ts';

const { labs } = loadLabs(LABS_DIR);

const KOREAN: Array<[lab: string, task: string, answers: string[], params?: Record<string, string>]> = [
  ['syscall-storm', 'kernel-column', ['시스템', '시스템 열']],
  ['cpu-hotspot', 'cpu-mode', ['사용자 공간', '유저 모드']],
  ['gc-stall', 'stall-interval', ['약 20초', '20초마다']],
  ['gc-stall', 'gc-collector', ['시리얼 GC']],
  ['gc-stall', 'gc-event', ['풀 GC']],
  ['tcp-latency', 'slow-ms', ['약 40밀리초', '40 ms 정도']],
  ['tcp-latency', 'send-calls', ['2번', '두 번 호출']],
  ['tcp-latency', 'cause', ['네이글 알고리즘']],
  ['driver-panic', 'panic-task-state', ['실행 중']],
  ['cpu-throttling', 'what-throttles', ['CFS 대역폭 제어', 'cgroup의 CPU 할당량', '스로틀링']],
  ['cpu-throttling', 'burst-cpu', ['약 200밀리초', '200 ms 정도'], { burst_jobs: '20' }],
];

test('Korean answers that name the same thing are accepted', () => {
  for (const [labId, taskId, answers, params] of KOREAN) {
    const lab = labs.get(labId);
    assert.ok(lab, labId);
    const task = lab.tasks.find((t) => t.id === taskId);
    assert.ok(task?.question, `${labId}: a question task "${taskId}" (tasks: ${lab.tasks.map((t) => t.id).join(', ')})`);
    for (const a of answers) assert.equal(isCorrectAnswer(task.question.answer, a, params ?? {}), true, `${labId}/${taskId}: "${a}"`);
  }
});

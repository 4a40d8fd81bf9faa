import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownFences, planWalkthrough } from './walkthrough-plan.ts';

test('fences are found as markdown-it finds them: indented, tilde, longer closers, unclosed at the end', () => {
  const md = [
    '# T', '', '```bash', 'vmstat 1 5', '```', '',
    '::: tip', '```bash norun', 'npm test', '```', ':::', '',
    '1. In a list:', '', '   ```sh', '   cd /x', '     indented more', '   ```', '',
    '~~~text', '```', 'not a fence inside', '~~~', '',
    'Inline ```code``` is not a fence.', '',
    '````bash walkthrough=ctrl-c:5', 'top', '```', '````', '',
    '```bash', 'unclosed',
  ].join('\n');
  assert.deepEqual(markdownFences(md), [
    { info: 'bash', content: 'vmstat 1 5', line: 3 },
    { info: 'bash norun', content: 'npm test', line: 8 },
    { info: 'sh', content: 'cd /x\n  indented more', line: 15 },
    { info: 'text', content: '```\nnot a fence inside', line: 20 },
    { info: 'bash walkthrough=ctrl-c:5', content: 'top\n```', line: 27 },
    { info: 'bash', content: 'unclosed', line: 32 },
  ]);
});

test('the plan: step blocks in order, then the hints of that step\'s tasks; repeats and skips are not typed', () => {
  const steps = [
    { file: 'steps/01.md', markdown: '# One\n```bash\nvmstat 1 5\n```\n```bash walkthrough=interactive:q\ntop\n```\n```bash norun\nnpm start\n```\n' },
    { file: 'steps/02.md', markdown: '# Two\n```bash walkthrough=skip\nreboot\n```\n```bash\ncd /x\nmake\n```\n' },
  ];
  const tasks = [
    { id: 'b', step: 2, hints: ['`make` in /x, then `insmod x.ko`.'] },
    { id: 'a', step: 1, hints: ['Run `top`, or `pidstat 1 5`{walkthrough=ctrl-c:3}.', 'The `us`{walkthrough=skip} column.'] },
  ];
  const plan = planWalkthrough(steps, tasks);
  assert.deepEqual(plan.items, [
    { source: 'step 1 block 1 (steps/01.md:2)', command: 'vmstat 1 5', mode: { kind: 'run' } },
    { source: 'step 1 block 2 (steps/01.md:5)', command: 'top', mode: { kind: 'interactive', keys: 'q', label: 'q' } },
    { source: 'hint 1 of a', command: 'pidstat 1 5', mode: { kind: 'ctrl-c', seconds: 3 } },
    { source: 'step 2 block 2 (steps/02.md:5)', command: 'cd /x\nmake', mode: { kind: 'run' } },
    { source: 'hint 1 of b', command: 'insmod x.ko', mode: { kind: 'run' } },
  ]);
  assert.deepEqual(plan.skipped, [
    'hint 1 of a: `top` typed already',
    'hint 2 of a: `us` marked skip',
    'step 2 block 1 (steps/02.md:2): marked skip',
    'hint 1 of b: `make` typed already',
  ]);
  assert.deepEqual(plan.problems, []);
});

test('markers that do not parse and empty blocks are problems of the plan, with file and line', () => {
  const plan = planWalkthrough(
    [{ file: 'steps/01.md', markdown: '# One\n\n```bash walkthrough=ctrl-c:forever\nx\n```\n```bash\n\n```\n' }],
    [{ id: 't', step: 1, hints: ['`ls`{walkthrough=never}'] }],
  );
  assert.equal(plan.problems.length, 3, plan.problems.join('\n'));
  assert.match(plan.problems[0]!, /^steps\/01\.md:3: walkthrough=ctrl-c:forever/);
  assert.match(plan.problems[1]!, /^step 1 block 2 \(steps\/01\.md:6\): an empty command block/);
  assert.match(plan.problems[2]!, /^hint 1 of t: `ls`: walkthrough=never/);
});

test('a hint marker in step prose is a problem naming the line: prose is not typed, so it would only reach the page', () => {
  const steps = [{ file: 'steps/03.md', markdown: '# Fix\nAdd `<name> = cached`{walkthrough=skip} to the file.\n```bash\nctl restart\n```\n' }];
  assert.deepEqual(planWalkthrough(steps, []).problems, ['steps/03.md:2: {walkthrough=…} after a code span works in hints only; step prose is not typed — remove it']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandKeystrokes, isCommandSpan, parseFenceInfo, parseHint, parseWalkthroughMode } from './walkthrough-markers.ts';
import { labFileSchema } from './lab-schema.ts';

test('walkthrough modes parse, and a wrong one says what is expected', () => {
  assert.deepEqual(parseWalkthroughMode('run', 'fence'), { ok: true, mode: { kind: 'run' } });
  assert.deepEqual(parseWalkthroughMode('expect-fail', 'fence'), { ok: true, mode: { kind: 'expect-fail' } });
  assert.deepEqual(parseWalkthroughMode('ctrl-c:5', 'fence'), { ok: true, mode: { kind: 'ctrl-c', seconds: 5 } });
  assert.deepEqual(parseWalkthroughMode('interactive:q', 'fence'), { ok: true, mode: { kind: 'interactive', keys: 'q', label: 'q' } });
  assert.deepEqual(parseWalkthroughMode('interactive:ctrl-x', 'fence'), { ok: true, mode: { kind: 'interactive', keys: '\x18', label: 'ctrl-x' } });
  assert.deepEqual(parseWalkthroughMode('interactive:esc+:+q+enter', 'fence'), { ok: true, mode: { kind: 'interactive', keys: '\x1b:q\r', label: 'esc+:+q+enter' } });
  assert.deepEqual(parseWalkthroughMode('wait:400', 'fence'), { ok: true, mode: { kind: 'wait', seconds: 400 } });
  assert.deepEqual(parseWalkthroughMode('reboots', 'fence'), { ok: true, mode: { kind: 'reboots' } });
  assert.deepEqual(parseWalkthroughMode('file', 'hint'), { ok: true, mode: { kind: 'file' } });
  for (const [value, why] of [
    ['ctrl-c', /ctrl-c:<seconds>/], ['ctrl-c:0', /1 to 120/], ['ctrl-c:5s', /ctrl-c:<seconds>/], ['ctrl-c:999', /1 to 120/],
    ['wait', /wait:<seconds>/], ['wait:0', /1 to 600/], ['wait:601', /1 to 600/],
    ['interactive', /interactive:<keys>/], ['interactive:quit', /interactive:<keys>/], ['skip:now', /takes no value/],
    ['forever', /unknown mode "forever"/], ['file', /a path in a hint/],
  ] as const) {
    const r = parseWalkthroughMode(value, 'fence');
    assert.equal(r.ok, false, value);
    if (!r.ok) assert.match(r.message, why);
  }
});

test('fence info: Run buttons for shell blocks without norun, markers read, other flags left alone', () => {
  assert.deepEqual(parseFenceInfo('bash'), { lang: 'bash', runnable: true, mode: { kind: 'run' }, problems: [] });
  assert.deepEqual(parseFenceInfo(' sh  walkthrough=ctrl-c:3 '), { lang: 'sh', runnable: true, mode: { kind: 'ctrl-c', seconds: 3 }, problems: [] });
  assert.deepEqual(parseFenceInfo('bash {2} walkthrough=skip'), { lang: 'bash', runnable: true, mode: { kind: 'skip' }, problems: [] });
  assert.deepEqual(parseFenceInfo('bash norun'), { lang: 'bash', runnable: false, mode: null, problems: [] });
  assert.deepEqual(parseFenceInfo('text'), { lang: 'text', runnable: false, mode: null, problems: [] });
  assert.deepEqual(parseFenceInfo(''), { lang: '', runnable: false, mode: null, problems: [] });
  assert.match(parseFenceInfo('bash walkthrough=ctrl-c').problems.join(), /ctrl-c:<seconds>/);
  assert.match(parseFenceInfo('bash norun walkthrough=skip').problems.join(), /does nothing/);
  assert.match(parseFenceInfo('bash walkthrough=file').problems.join(), /a path in a hint/);
});

test('a block is typed as the Run button types it: lines ended with Enter, outer blank lines dropped', () => {
  assert.equal(commandKeystrokes('\nvmstat 1 5\n'), 'vmstat 1 5\r');
  assert.equal(commandKeystrokes('cd /x\r\nls\n'), 'cd /x\rls\r');
});

test('the hint rule: a code span is a command when it starts with a program and has no placeholder', () => {
  for (const c of ['top', 'pidstat 1 5', 'ausyscall --dump', '/root/faulty/faulty-load', './faulty-load', 'strace -c -f -p $(cat /run/relayd.pid)', "dmesg | grep -E 'Oops|BUG'", 'orders-latency 120', 'make']) {
    assert.ok(isCommandSpan(c), c);
  }
  for (const c of ['RIP: 0010:<function>+<offset>/<size> [<module>]', 'done:', '-XX:+UseG1GC', 'jstat -gc <pid> 1s', "gdb -batch -ex 'list *(faulty_submit+0x…)' x.ko", 'VM Thread', 'P', '%sys', 'KDLABS_PARAM_SYSCALL', 'ls ...']) {
    assert.ok(!isCommandSpan(c), c);
  }
});

test('hints: markers set the mode and are never shown; spans that are not commands are left out', () => {
  const h = parseHint('Run `top`{walkthrough=interactive:q}, press P; then `pidstat 1 5`. The column is `%sys`; see `/usr/include/x.h`{walkthrough=file}; `sy`{walkthrough=skip} too.');
  assert.equal(h.text, 'Run `top`, press P; then `pidstat 1 5`. The column is `%sys`; see `/usr/include/x.h`; `sy` too.');
  assert.deepEqual(h.commands, [
    { command: 'top', mode: { kind: 'interactive', keys: 'q', label: 'q' } },
    { command: 'pidstat 1 5', mode: { kind: 'run' } },
    { command: '/usr/include/x.h', mode: { kind: 'file' } },
    { command: 'sy', mode: { kind: 'skip' } },
  ]);
  assert.deepEqual(h.problems, []);
  assert.deepEqual(parseHint('No code at all.'), { text: 'No code at all.', commands: [], problems: [] });
  assert.match(parseHint('`top`{walkthrough=forever}').problems.join(), /unknown mode/);
  assert.match(parseHint('`top`{.class}').problems.join(), /expected \{walkthrough=<mode>\}/);
});

test('a hint marker that does not parse is a lab file problem, with its field', () => {
  const lab = {
    id: 'x', title: 'T', level: 'beginner', summary: 'S', minutes: 5, steps: ['s.md'],
    tasks: [{ id: 't', title: 'T', check: 'c.sh', hints: ['ok `ls`', 'bad `ls`{walkthrough=nope}'] }],
    solution: { script: 'c.sh' }, selftest: { symptom: 'c.sh' },
  };
  const r = labFileSchema.safeParse(lab);
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')), ['tasks.0.hints.1']);
  assert.match(r.error!.issues[0]!.message, /unknown mode "nope"/);
});

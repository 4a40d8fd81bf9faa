import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLabs } from './registry.ts';
import { motdTokens } from './load-translation.ts';

const GOOD = `id: good-lab
title: A good lab
level: beginner
summary: Fine.
minutes: 10
steps: [steps/01.md]
tasks:
  - id: t1
    title: Check it
    check: check.sh
solution: { script: solve.sh }
selftest: { symptom: symptom.sh }
`;

function makeLab(root: string, id: string, yaml: string, files: string[] = ['steps/01.md', 'check.sh', 'solve.sh', 'symptom.sh']): void {
  const dir = join(root, id);
  mkdirSync(join(dir, 'steps'), { recursive: true });
  writeFileSync(join(dir, 'lab.yaml'), yaml);
  for (const f of files) writeFileSync(join(dir, f), '# Step one\necho hi\n');
}

test('broken lab files are reported with file, field and expectation; good labs still load', () => {
  const root = mkdtempSync(join(tmpdir(), 'kdlabs-labs-'));
  try {
    makeLab(root, 'good-lab', GOOD);
    makeLab(root, 'bad-yaml', 'id: [unclosed\n');
    makeLab(root, 'bad-fields', GOOD.replace('id: good-lab', 'id: bad-fields').replace('level: beginner', 'level: expert').replace('minutes: 10', 'minutes: lots'));
    makeLab(root, 'bad-cap', GOOD.replace('id: good-lab', 'id: bad-cap').replace('minutes: 10', 'minutes: 10\ncapabilities: [SYS_MODULE]'));
    makeLab(root, 'missing-file', GOOD.replace('id: good-lab', 'id: missing-file'), ['steps/01.md', 'solve.sh', 'symptom.sh']);
    makeLab(root, 'wrong-id', GOOD);
    makeLab(root, 'no-task-kind', GOOD.replace('id: good-lab', 'id: no-task-kind').replace('    check: check.sh\n', ''));
    const { labs, problems } = loadLabs(root);
    assert.deepEqual([...labs.keys()], ['good-lab']);
    const text = problems.join('\n');
    assert.match(text, /bad-yaml\/lab\.yaml: not valid YAML at line \d+: .*end with a \]/);
    assert.match(text, /bad-fields\/lab\.yaml: level: .*beginner.*intermediate.*advanced/);
    assert.match(text, /bad-fields\/lab\.yaml: minutes: .*number/);
    assert.match(text, /bad-cap\/lab\.yaml: capabilities\.0: .*SYS_ADMIN/);
    assert.match(text, /missing-file\/lab\.yaml: tasks\.0\.check: file "check\.sh" does not exist/);
    assert.match(text, /wrong-id\/lab\.yaml: id: "good-lab" must equal the folder name "wrong-id"/);
    assert.match(text, /no-task-kind\/lab\.yaml: tasks\.0: a task needs a "check" script, a "question", or both/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('placement.nodeLabels: read into the lab; a bad label, the engine label or a vm lab is refused with the reason', () => {
  const root = mkdtempSync(join(tmpdir(), 'kdlabs-labs-'));
  try {
    const placed = (id: string, block: string, extra = '') => GOOD.replace('id: good-lab', `id: ${id}`).replace('minutes: 10', `minutes: 10\n${extra}placement:\n  nodeLabels:\n${block}`);
    makeLab(root, 'on-nvme', placed('on-nvme', '    kdlabs.disk: nvme\n'));
    makeLab(root, 'bad-value', placed('bad-value', '    kdlabs.disk: "nvme ssd"\n'));
    makeLab(root, 'engine-label', placed('engine-label', '    kdlabs.engine: tcp\n'));
    makeLab(root, 'vm-placed', placed('vm-placed', '    kdlabs.disk: nvme\n', 'backend: vm\n'));
    const { labs, problems } = loadLabs(root);
    assert.deepEqual([...labs.keys()], ['on-nvme']);
    assert.deepEqual(labs.get('on-nvme')!.placement, { nodeLabels: { 'kdlabs.disk': 'nvme' } });
    const text = problems.join('\n');
    assert.match(text, /bad-value\/lab\.yaml: placement\.nodeLabels\.kdlabs\.disk: expected a label value/);
    assert.match(text, /engine-label\/lab\.yaml: placement\.nodeLabels\.kdlabs\.engine: "kdlabs\.engine" is every node's engine address/);
    assert.match(text, /vm-placed\/lab\.yaml: placement: only a container lab is placed on a workshop pool/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the real labs folder loads without problems', async () => {
  const { LABS_DIR } = await import('../util/paths.ts');
  const { labs, problems } = loadLabs(LABS_DIR);
  assert.deepEqual(problems, []);
  assert.ok(labs.has('syscall-storm'));
});

test('labs come in the order learners take them: level, then order, then id; never the alphabet alone', () => {
  const root = mkdtempSync(join(tmpdir(), 'kdlabs-labs-'));
  const lab = (id: string, level: string, order?: number): string =>
    GOOD.replace('id: good-lab', `id: ${id}`).replace('level: beginner', `level: ${level}${order === undefined ? '' : `\norder: ${order}`}`);
  try {
    makeLab(root, 'a-advanced', lab('a-advanced', 'advanced', 1));
    makeLab(root, 'b-beginner-late', lab('b-beginner-late', 'beginner', 20));
    makeLab(root, 'c-beginner-first', lab('c-beginner-first', 'beginner', 10));
    makeLab(root, 'd-intermediate', lab('d-intermediate', 'intermediate'));
    makeLab(root, 'e-beginner-unordered', lab('e-beginner-unordered', 'beginner'));
    makeLab(root, 'f-bad-order', lab('f-bad-order', 'beginner', -1));
    const { labs, problems } = loadLabs(root);
    assert.deepEqual([...labs.keys()], ['c-beginner-first', 'b-beginner-late', 'e-beginner-unordered', 'd-intermediate', 'a-advanced']);
    assert.match(problems.join('\n'), /f-bad-order\/lab\.yaml: order: /);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a banner translation must keep what the learner types from the English banner', () => {
  const english = '\n  Lab: x\n  The service `relayd` runs. Its source: /opt/lab/src/relayd.c\n  Control it with: relayctl {status|restart}   on 127.0.0.1:8080, logs in /var/log/lab/.\n';
  assert.deepEqual(motdTokens(english), ['`relayd`', '/opt/lab/src/relayd.c', 'relayctl {status|restart}', '127.0.0.1:8080', '/var/log/lab/']);
});

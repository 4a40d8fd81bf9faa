// Every lab proves itself against the real backend: start, fault present,
// solution, every check passes, nothing left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { createDocker } from '../runner/src/node/util/docker-client.ts';
import { ImageBuilder } from '../runner/src/node/images/image-builder.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';
import { selfTestLab } from '../runner/src/node/selftest/lab-selftest.ts';

const { labs, problems } = loadLabs(LABS_DIR);

test('every lab file in labs/ loads', () => {
  assert.deepEqual(problems, []);
  assert.ok(labs.size >= 1);
});

const docker = createDocker();
const images = new ImageBuilder(docker);
for (const lab of labs.values()) {
  test(`self-test: ${lab.id}`, { timeout: lab.selftest.timeoutSeconds * 1000 + 600_000 }, async () => {
    const report = await selfTestLab(lab, {
      backends: { container: new ContainerBackend(docker, 'selftest') },
      resolveImage: (l, p) => images.ensureLabImage(l, p),
    });
    const summary = report.steps.map((s) => `${s.ok ? 'ok' : 'FAIL'} ${s.name}: ${s.detail}`).join('\n');
    assert.ok(report.ok, summary);
    for (const name of ['start', 'fault present (symptom)', 'every check fails before the fix', 'solution', 'every check passes after the fix', 'stop, nothing left behind']) {
      assert.ok(report.steps.some((s) => s.name === name && s.ok), `step "${name}" ran and passed:\n${summary}`);
    }
  });
}

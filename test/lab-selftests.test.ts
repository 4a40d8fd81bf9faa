// Every lab proves itself against the real backend: start, fault present,
// solution, every check passes, nothing left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLabs } from '../runner/src/node/labs/registry.ts';
import { LABS_DIR } from '../runner/src/node/util/paths.ts';
import { createDocker } from '../runner/src/node/util/docker-client.ts';
import { ImageBuilder } from '../runner/src/node/images/image-builder.ts';
import { ContainerBackend } from '../runner/src/node/backends/container.ts';
import { QemuBackend } from '../runner/src/node/backends/qemu.ts';
import { VmImageBuilder } from '../runner/src/node/images/vm-image-builder.ts';
import { labImageResolver } from '../runner/src/node/images/resolve-image.ts';
import { selfTestLab } from '../runner/src/node/selftest/lab-selftest.ts';
import { paramSweep } from '../runner/src/common/params.ts';

const { labs, problems } = loadLabs(LABS_DIR);

test('every lab file in labs/ loads', () => {
  assert.deepEqual(problems, []);
  assert.ok(labs.size >= 1);
});

const docker = createDocker();
const resolveImage = labImageResolver(new ImageBuilder(docker), new VmImageBuilder());
const container = new ContainerBackend(docker, 'selftest');
const vm = new QemuBackend({ runnerName: 'selftest' });
// Once per choice of every per-learner parameter: each learner must get a lab that works.
for (const lab of labs.values()) for (const params of paramSweep(lab.params)) {
  const shown = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ');
  test(`self-test: ${lab.id}${shown ? ` (${shown})` : ''}`, { timeout: lab.selftest.timeoutSeconds * 1000 + 600_000 }, async () => {
    const report = await selfTestLab(lab, {
      backends: { container, vm },
      resolveImage,
      params,
    });
    if (lab.backend === 'vm') assert.deepEqual(await vm.listOwned('selftest'), [], 'no VM folder (overlay, sockets) is left');
    const summary = report.steps.map((s) => `${s.ok ? 'ok' : 'FAIL'} ${s.name}: ${s.detail}`).join('\n');
    assert.ok(report.ok, summary);
    for (const name of ['start', 'fault present (symptom)', 'every check fails before the fix', 'solution', 'every check passes after the fix', 'stop, nothing left behind']) {
      assert.ok(report.steps.some((s) => s.name === name && s.ok), `step "${name}" ran and passed:\n${summary}`);
    }
  });
}

import { loadLabs } from '/work/main/runner/src/node/labs/registry.ts';
import { LABS_DIR } from '/work/main/runner/src/node/util/paths.ts';
import { createDocker } from '/work/main/runner/src/node/util/docker-client.ts';
import { ImageBuilder } from '/work/main/runner/src/node/images/image-builder.ts';
import { ContainerBackend } from '/work/main/runner/src/node/backends/container.ts';
import { QemuBackend } from '/work/main/runner/src/node/backends/qemu/index.ts';
import { VmImageBuilder } from '/work/main/runner/src/node/images/vm-image-builder.ts';
import { labImageResolver } from '/work/main/runner/src/node/images/resolve-image.ts';
import { selfTestLab } from '/work/main/runner/src/node/selftest/lab-selftest.ts';
const lab = loadLabs(LABS_DIR).labs.get(process.argv[2]!)!;
const docker = createDocker();
const image = process.argv[3];
const resolveImage = image ? async () => image : labImageResolver(new ImageBuilder(docker), new VmImageBuilder());
const params = process.argv[4] ? Object.fromEntries([process.argv[4].split('=')]) : {};
const report = await selfTestLab(lab, { backends: (n) => ({ container: new ContainerBackend(docker, n), vm: new QemuBackend({ runnerName: n }) }), resolveImage, params,
  onProgress: (m) => console.log('   … ' + m), onStep: (s) => console.log(`${s.ok ? 'ok' : 'FAIL'} ${s.name} (${(s.ms/1000).toFixed(1)} s): ${s.detail}`) });
console.log('TOTAL', report.ok, (report.totalMs/1000).toFixed(0), 's');
process.exit(0);

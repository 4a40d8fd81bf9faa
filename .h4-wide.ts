import { loadLabs } from '/work/main/runner/src/node/labs/registry.ts';
import { LABS_DIR } from '/work/main/runner/src/node/util/paths.ts';
import { createDocker } from '/work/main/runner/src/node/util/docker-client.ts';
import { ImageBuilder } from '/work/main/runner/src/node/images/image-builder.ts';
import { ContainerBackend } from '/work/main/runner/src/node/backends/container.ts';
import { VmImageBuilder } from '/work/main/runner/src/node/images/vm-image-builder.ts';
import { labImageResolver } from '/work/main/runner/src/node/images/resolve-image.ts';
import { SessionManager } from '/work/main/runner/src/node/sessions/session-manager.ts';
import { startTerminalServer } from '/work/main/runner/src/node/selftest/terminal-server.ts';
import { TerminalClient } from '/work/main/runner/src/node/cli/terminal-client.ts';
import { MarkedShell } from '/work/main/runner/src/node/selftest/marked-shell.ts';
import { plainLines } from '/work/main/runner/src/node/selftest/walkthrough-output.ts';
const lab = loadLabs(LABS_DIR).labs.get(process.argv[2]!)!;
const docker = createDocker();
const name = 'h4dbg-' + process.pid;
const m = new SessionManager({ runnerName: name, labs: new Map([[lab.id, lab]]), backends: { container: new ContainerBackend(docker, name) }, resolveImage: labImageResolver(new ImageBuilder(docker), new VmImageBuilder()) });
const stop = async () => { await m.shutdown(); process.exit(0); };
process.on('SIGTERM', () => void stop()); process.on('SIGINT', () => void stop());
try {
  await m.init();
  const c = m.create(lab.id, { params: { syscall: 'write' } }); if (!c.ok) throw new Error('x');
  const r = await c.value.ready; if (!r.ok) throw new Error(r.error.message);
  const srv = await startTerminalServer(m);
  const cl = new TerminalClient({ url: srv.url, sessionId: c.value.session.id, token: c.value.session.token });
  await cl.opened; cl.resize(104, 42);
  const sh = new MarkedShell(cl);
  await sh.install(30000);
  for (const cmd of process.argv.slice(3)) {
    const from = sh.position;
    let e = await sh.typeLine(cmd, 60000, false);
    if (e.kind === 'timeout') e = await sh.sendAndWait('\x03', from, 10000);
    const out = e.kind === 'done' ? plainLines(e.output) : [];
    console.log(`=== ${cmd} [${e.kind} ${e.kind === 'done' ? e.status : ''}] max width ${Math.max(0, ...out.slice(1).map((l) => l.trimEnd().length))}`);
    for (const l of out.slice(1, 16)) console.log('  |' + l.trimEnd());
  }
  cl.close(); await srv.close();
} finally { await m.shutdown(); }
process.exit(0);

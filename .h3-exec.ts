// H3 scratch: start one syscall-storm lab, optionally copy a ktrace bundle in, run commands given as argv, print output, stop.
import { execFileSync } from 'node:child_process';
import { startTestRunner } from './test/helpers/runner-fixture.ts';
const r = await startTestRunner();
try {
  const started = await r.startLab('syscall-storm');
  const s = r.manager.get(started.session.id)!;
  if (process.env.H3_BUNDLE) execFileSync('docker', ['cp', process.env.H3_BUNDLE, `${s.labHandle!.ref}:/opt/kdlabs/bin/ktrace`]);
  for (const cmd of process.argv.slice(2)) {
    const x = await s.execScript(cmd, 180_000);
    if (!x.ok) { console.log('ERR', x.error.message); continue; }
    console.log(`$ ${cmd}\n[exit ${x.value.exitCode}]\n${x.value.stdout}\n--stderr--\n${x.value.stderr}`);
  }
} finally { await r.dispose(); }

// test-budget: 15m
// What a VM lab — the kind a workshop offers by default — can do to the host,
// measured from inside a running lab as root in the guest, the learner's position:
// the kernel it changes is its own, the host's settings and processes are out of
// sight, it has no network, and what it can write is bounded by its virtual disk,
// not the host's free space. The list is printed as measured (docs/security.md).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { startTestRunner, type TestRunner } from './helpers/runner-fixture.ts';
import { QEMU_SKIP, qemuPids } from './helpers/qemu.ts';
import { sessionOf } from './helpers/tamper.ts';
import { statesDir } from '../runner/src/node/backends/qemu/saved-state.ts';
import { DEFAULT_DATA_DIR } from '../runner/src/node/util/paths.ts';

const LAB = 'hung-task';
/** A restore takes seconds; without a saved state the runner boots and saves one first (minutes on TCG). */
const START_TIMEOUT_MS = 900_000;
/** Filling the guest's free space (about 2 GiB) through TCG's emulated disk. */
const FILL_TIMEOUT_MS = 600_000;
/** qcow2 metadata and the guest's own journal writes on top of the data the guest wrote. */
const OVERLAY_SLACK_BYTES = 128 * 2 ** 20;

let runner: TestRunner;
let sessionId: string;

before(async () => {
  if (QEMU_SKIP) return;
  runner = await startTestRunner();
  const shared = statesDir(DEFAULT_DATA_DIR);
  if (existsSync(shared)) symlinkSync(shared, statesDir(runner.dataDir));
  sessionId = (await runner.startLab(LAB)).session.id;
}, { timeout: START_TIMEOUT_MS });

after(async () => { await runner?.dispose(); });

interface Finding { id: string; status: 'open' | 'blocked'; detail: string }

/** The QEMU's writable disk: the overlay file named on its command line, and the bytes it occupies on the host. */
function overlayOf(vmName: string): { file: string; bytes: () => number } {
  const [pid] = qemuPids(vmName);
  assert.ok(pid, `the QEMU of ${vmName} runs`);
  const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  const file = /file=([^,\0]+\.qcow2),if=virtio/.exec(cmd)?.[1];
  assert.ok(file, `the QEMU command line names its overlay: ${cmd.replaceAll('\0', ' ')}`);
  return { file, bytes: () => Number(execFileSync('du', ['-B1', '--', file], { encoding: 'utf8' }).split('\t')[0]) };
}

test(`what ${LAB} (a VM lab) can do to the host, measured inside it`, { skip: QEMU_SKIP, timeout: FILL_TIMEOUT_MS + 120_000 }, async (t) => {
  const s = sessionOf(runner, sessionId);
  const findings: Finding[] = [];
  const hostSwappiness = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
  const guestValue = String((Number(hostSwappiness) + 7) % 100);
  const hostBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

  const look = await s.execScript([
    'echo "boot-id $(cat /proc/sys/kernel/random/boot_id)"',
    'echo "links $(ls /sys/class/net | tr "\\n" " ")"',
    `echo ${guestValue} > /proc/sys/vm/swappiness && echo "swappiness $(cat /proc/sys/vm/swappiness)"`,
    // The runner's data folder is on every host process of this test's runner; the guest must see none.
    // (the pattern comes from a file, so grep's own command line does not match)
    `printf '%s\\n' '${runner.dataDir}' > /tmp/runner-marker`,
    'echo "runner-seen $(grep -lF -f /tmp/runner-marker /proc/[0-9]*/cmdline 2>/dev/null | wc -l)"',
    'echo "procs $(ls -d /proc/[0-9]* | wc -l)"',
  ].join('\n'), 60_000);
  assert.ok(look.ok, JSON.stringify(look));
  const got = (key: string): string => new RegExp(`^${key} (.*)$`, 'm').exec(look.value.stdout)?.[1]?.trim() ?? '';
  const guestBootId = got('boot-id');
  assert.match(guestBootId, /^[0-9a-f-]{36}$/, look.value.stdout + look.value.stderr);
  findings.push(guestBootId !== hostBootId
    ? { id: 'kernel', status: 'blocked', detail: `the guest runs its own kernel (boot id ${guestBootId.slice(0, 8)}…, the host's ${hostBootId.slice(0, 8)}…): modules, bpf, mounts and release_agent act on it` }
    : { id: 'kernel', status: 'open', detail: 'the guest reports the host\'s boot id' });
  const hostNow = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
  findings.push(got('swappiness') === guestValue && hostNow === hostSwappiness
    ? { id: 'host-sysctl', status: 'blocked', detail: `vm.swappiness set to ${guestValue} in the guest; the host's stayed ${hostSwappiness}` }
    : { id: 'host-sysctl', status: 'open', detail: `guest ${got('swappiness')}, host ${hostSwappiness} → ${hostNow}` });
  findings.push(got('runner-seen') === '0'
    ? { id: 'host-processes', status: 'blocked', detail: `the guest lists its own ${got('procs')} processes; none of the host's runner` }
    : { id: 'host-processes', status: 'open', detail: `${got('runner-seen')} host runner processes visible` });
  const links = got('links').split(' ').filter(Boolean);
  findings.push(links.every((l) => l === 'lo')
    ? { id: 'network', status: 'blocked', detail: `interfaces: ${links.join(', ')}` }
    : { id: 'network', status: 'open', detail: `interfaces: ${links.join(', ')}` });

  // Disk: write until the guest's file system is full, and see what that cost the host.
  const overlay = overlayOf(runner.manager.get(sessionId)!.labHandle!.ref);
  const before = overlay.bytes();
  const fill = await s.execScript([
    // Free blocks, root's reserve included: root in the guest may write those too.
    'echo "free-bytes $(( $(stat -f -c "%f * %S" /) ))"',
    // dd's complaint kept in memory: the disk it would go to is full.
    'err=$(dd if=/dev/zero of=/var/tmp/kdlabs-fill bs=1M 2>&1 > /dev/null); echo "dd-status $?"',
    'printf "%s\\n" "$err" | grep -m 1 "No space left on device"',
    'sync',
    'echo "written $(stat -c %s /var/tmp/kdlabs-fill)"',
  ].join('\n'), FILL_TIMEOUT_MS);
  assert.ok(fill.ok, JSON.stringify(fill));
  const grew = overlay.bytes() - before;
  const freeBytes = Number(/^free-bytes (\d+)$/m.exec(fill.value.stdout)?.[1]);
  const written = Number(/^written (\d+)$/m.exec(fill.value.stdout)?.[1]);
  assert.ok(freeBytes > 0 && written > 0, fill.value.stdout + fill.value.stderr);
  const full = /No space left on device/.test(fill.value.stdout);
  const gib = (b: number): string => (b / 2 ** 30).toFixed(2);
  findings.push(full && grew <= freeBytes + OVERLAY_SLACK_BYTES
    ? { id: 'disk-quota', status: 'blocked', detail: `the guest filled its disk (${gib(written)} GiB written, then "No space left on device"); the host's overlay grew ${gib(grew)} GiB, bounded by the virtual disk` }
    : { id: 'disk-quota', status: 'open', detail: `wrote ${gib(written)} GiB (full: ${full}); the host's overlay grew ${gib(grew)} GiB; the guest had ${gib(freeBytes)} GiB free. ${fill.value.stdout.trim().replaceAll('\n', ' | ')}` });
  const cleaned = await s.execScript('rm -f /var/tmp/kdlabs-fill && sync && echo removed', 60_000);
  assert.ok(cleaned.ok && cleaned.value.stdout.includes('removed'), JSON.stringify(cleaned));

  t.diagnostic(`containment of ${LAB} (VM), measured:\n${findings.map((f) => `  ${f.status === 'open' ? 'OPEN   ' : 'blocked'}  ${f.id.padEnd(15)} ${f.detail}`).join('\n')}`);
  console.log(JSON.stringify({ lab: LAB, findings }));
  for (const f of findings) assert.equal(f.status, 'blocked', `${f.id}: ${f.detail}`);
});

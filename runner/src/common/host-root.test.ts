import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appArmorOff, hostRootReasons } from './host-root.ts';

test('a container lab is host-root-equivalent by its capabilities; a VM lab never is', () => {
  assert.deepEqual(hostRootReasons({ backend: 'vm', capabilities: ['SYS_ADMIN'] }), []);
  assert.deepEqual(hostRootReasons({ backend: 'container', capabilities: ['SYS_PTRACE', 'SYSLOG', 'PERFMON'] }), []);
  const admin = hostRootReasons({ backend: 'container', capabilities: ['SYS_ADMIN', 'SYS_PTRACE'] });
  assert.equal(admin.length, 2, 'the capability, and the confinement it turns off');
  assert.match(admin[0]!, /^SYS_ADMIN: .*sysctls/);
  assert.match(admin[1]!, /^AppArmor is off/);
  assert.match(hostRootReasons({ backend: 'container', capabilities: ['BPF', 'PERFMON'] }).join(), /^BPF: /);
  assert.equal(appArmorOff(['BPF', 'PERFMON']), false, 'AppArmor stays on without SYS_ADMIN');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIAL_PID_NS_INODE, describeScope, parseNsLink, readOwnPidNamespace, scopeJson } from './scope.ts';

test('pid namespace link: inode parsed, anything else refused', () => {
  assert.equal(parseNsLink('pid:[4026532179]'), 4026532179);
  assert.equal(parseNsLink('pid:[4026531836]\n'), INITIAL_PID_NS_INODE);
  assert.equal(parseNsLink('net:[4026531840]'), null);
  assert.equal(parseNsLink('pid:[]'), null);
});

test('an unreadable namespace link is a reason, not an exception', () => {
  const r = readOwnPidNamespace('/nonexistent/ns/pid');
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /^\/nonexistent\/ns\/pid: not present/);
});

test('the scope line names the namespace, the initial one, and host-wide loudly', () => {
  assert.equal(describeScope({ hostWide: false, pidNamespace: 4026532179 }), "scope: this lab (pid namespace 4026532179: this lab's processes only; --all-host for the whole host)");
  assert.match(describeScope({ hostWide: false, pidNamespace: INITIAL_PID_NS_INODE }), /initial one: every process of this machine/);
  assert.match(describeScope({ hostWide: true, pidNamespace: 4026532179 }), /^scope: WHOLE HOST \(--all-host\).*other labs/);
  assert.deepEqual(scopeJson({ hostWide: false, pidNamespace: 4026532179 }).kind, 'lab');
  assert.deepEqual(scopeJson({ hostWide: true, pidNamespace: 4026532179 }).kind, 'host');
});

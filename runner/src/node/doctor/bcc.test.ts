import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeHostIo } from './fake-host-io.ts';
import { checkBcc, decideBcc } from './bcc.ts';

const none = { buildInclude: false, buildLink: null, usrSrc: false, kheaders: false, kheadersModule: false };

test('a Debian kernel with its headers package: ok, names where', async () => {
  const rel = '6.1.0-27-amd64';
  const io = fakeHostIo({
    files: { [`/lib/modules/${rel}/build/include/linux/version.h`]: '', [`/usr/src/linux-headers-${rel}/Makefile`]: '' },
    links: { [`/lib/modules/${rel}/build`]: `/usr/src/linux-headers-${rel}` },
  });
  const o = await checkBcc(io, rel);
  assert.equal(o.status, 'ok');
  assert.match(o.detail, /\/usr\/src\/linux-headers-6\.1\.0-27-amd64/);
});

test('no headers for a Debian kernel: missing, the fix installs the package, the CO-RE twins are named', () => {
  const o = decideBcc({ release: '6.1.0-27-amd64', ...none });
  assert.equal(o.status, 'missing');
  assert.equal(o.fix, 'apt-get install -y linux-headers-6.1.0-27-amd64');
  assert.match(o.why ?? '', /Failed to compile BPF module/);
  assert.match(o.why ?? '', /runqlat.*biolatency/);
});

test('no headers for a custom kernel (this host): no apt fix, kheaders and the twins instead', () => {
  const o = decideBcc({ release: '6.18.44-fc-v1045', ...none });
  assert.equal(o.status, 'missing');
  assert.doesNotMatch(o.fix ?? '', /apt-get/);
  assert.match(o.fix ?? '', /CONFIG_IKHEADERS/);
});

test('headers in /usr/src but no build link: the fix makes the link', () => {
  const o = decideBcc({ release: '6.1.0-27-amd64', ...none, usrSrc: true });
  assert.equal(o.fix, 'mkdir -p /lib/modules/6.1.0-27-amd64 && ln -sfn /usr/src/linux-headers-6.1.0-27-amd64 /lib/modules/6.1.0-27-amd64/build');
});

test('kheaders: ok when loaded, modprobe when only installed', () => {
  assert.equal(decideBcc({ release: 'x', ...none, kheaders: true }).status, 'ok');
  assert.equal(decideBcc({ release: 'x', ...none, kheadersModule: true }).fix, 'modprobe kheaders');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labDiskDev, labMountProblem, parseMountinfo } from './lab-mount.ts';

const LAB = '/opt/lab';
const TOOLS = '/opt/lab/.kdlabs-check';
/** As a lab VM's agent reads it at the start (trimmed). */
const CLEAN = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '23 22 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=491604k',
  '30 22 254:16 / /opt/lab ro,nosuid,nodev,relatime shared:9 - ext4 /dev/vdb ro',
  '31 22 0:26 / /run rw,nosuid,nodev shared:10 - tmpfs tmpfs rw',
].join('\n');

test('the clean guest: the lab disk is found and serves the tool set', () => {
  const e = parseMountinfo(CLEAN);
  assert.equal(labDiskDev(e, LAB), '254:16');
  assert.equal(labMountProblem(e, '254:16', LAB, TOOLS), null);
});

test('a bind mount over the tool set, or anything mounted inside the lab disk, is found', () => {
  const bound = parseMountinfo(`${CLEAN}\n40 30 254:0 /root/fakes /opt/lab/.kdlabs-check/bin rw,relatime shared:1 - ext4 /dev/vda rw`);
  assert.match(labMountProblem(bound, '254:16', LAB, TOOLS)!, /mounted at \/opt\/lab\/\.kdlabs-check\/bin/);
});

test('a tmpfs over /opt, or over /opt/lab, covers the disk', () => {
  const opt = parseMountinfo(`${CLEAN}\n41 22 0:40 / /opt rw,relatime shared:20 - tmpfs tmpfs rw`);
  assert.match(labMountProblem(opt, '254:16', LAB, TOOLS)!, /tmpfs mounted at \/opt covers it/);
  const lab = parseMountinfo(`${CLEAN}\n42 30 0:41 / /opt/lab ro,relatime shared:21 - tmpfs /dev/vdb ro`);
  assert.match(labMountProblem(lab, '254:16', LAB, TOOLS)!, /different file system \(device 0:41, tmpfs\)/);
});

test('/opt moved aside (the lab disk now shows under another name) leaves nothing at /opt/lab', () => {
  const moved = parseMountinfo(CLEAN.replace(' /opt/lab ', ' /opt.old/lab '));
  assert.match(labMountProblem(moved, '254:16', LAB, TOOLS)!, /ext4 mounted at \/ covers it/);
});

test('a look-alike ext4 from another device, or the disk remounted read-write, is refused', () => {
  const loop = parseMountinfo(`${CLEAN}\n43 30 7:0 / /opt/lab ro,relatime shared:22 - ext4 /dev/vdb ro`);
  assert.match(labMountProblem(loop, '254:16', LAB, TOOLS)!, /device 7:0/);
  const rw = parseMountinfo(CLEAN.replace('/opt/lab ro,', '/opt/lab rw,'));
  assert.match(labMountProblem(rw, '254:16', LAB, TOOLS)!, /read-write/);
});

test('escaped mount points are read as the kernel meant them', () => {
  const e = parseMountinfo('50 22 0:50 / /opt/my\\040lab rw - tmpfs tmpfs rw');
  assert.equal(e[0]!.mountPoint, '/opt/my lab');
});

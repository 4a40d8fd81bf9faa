import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageOfLine, stepOfLine } from './build-line.ts';

test('image and step counts are read from the builder\'s and Docker\'s lines', () => {
  assert.deepEqual(imageOfLine('[image 2/3] kdlabs/base:abc: Step 5/14 : RUN apt-get install'), { k: 2, n: 3 });
  assert.deepEqual(stepOfLine('[image 2/3] kdlabs/base:abc: Step 5/14 : RUN apt-get install'), { k: 5, n: 14 });
  assert.deepEqual(stepOfLine('[image 1/3] kdlabs/rootfs:1: debootstrap bookworm from http://deb.debian.org/debian (step 1 of 2)'), { k: 1, n: 2 });
  assert.equal(stepOfLine('[image 1/3] kdlabs/rootfs:1: I: Retrieving libc6 2.36'), null);
  assert.equal(imageOfLine('Step 1/2 : FROM x'), null, 'a bare Docker line names no image of the plan');
});

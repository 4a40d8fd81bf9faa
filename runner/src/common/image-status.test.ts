import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildingWords, type ImageStatus } from './image-status.ts';

const status = (image: ImageStatus['image'], step: ImageStatus['step']): ImageStatus => ({
  labId: 'x', state: 'building', image, step, line: '', error: null, startedAt: null, finishedAt: null,
});

test('a Start button says how far the image build is, in both languages', () => {
  assert.deepEqual(buildingWords(status({ k: 2, n: 3 }, { k: 5, n: 14 })), { en: 'building image 2 of 3: step 5 of 14', ko: '이미지 빌드 중 (3개 중 2번째): 14단계 중 5단계' });
  assert.deepEqual(buildingWords(status({ k: 1, n: 1 }, { k: 3, n: 9 })), { en: 'building image: step 3 of 9', ko: '이미지 빌드 중: 9단계 중 3단계' });
  assert.deepEqual(buildingWords(status(null, null)), { en: 'building image', ko: '이미지 빌드 중' });
});

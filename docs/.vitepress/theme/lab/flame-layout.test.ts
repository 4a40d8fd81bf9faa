import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildFlameTree, fitLabel, formatShare, frameColor, layoutFlame, maxDepth, searchFlame } from './flame-layout.ts'

const STACKS: Array<[string, number]> = [
  ['ingestd;main;checksum_record;build_checksum_table', 60],
  ['ingestd;main;checksum_record;crc32', 10],
  ['ingestd;main;route_record', 20],
  ['ingestd;main', 5],
  ['kworker;worker_thread', 5],
]

test('stacks merge into one tree with totals and self time', () => {
  const root = buildFlameTree(STACKS)
  assert.equal(root.value, 100)
  assert.deepEqual(root.children.map((c) => [c.name, c.value]), [['ingestd', 95], ['kworker', 5]])
  const main = root.children[0]!.children[0]!
  assert.equal(main.value, 95)
  assert.equal(main.self, 5)
  assert.deepEqual(main.children.map((c) => c.name), ['checksum_record', 'route_record'], 'children in name order')
})

test('the layout at the root gives widths in proportion to samples', () => {
  const root = buildFlameTree(STACKS)
  const rects = layoutFlame(root)
  const build = rects.find((r) => r.node.name === 'build_checksum_table')!
  assert.equal(build.width, 0.6)
  assert.equal(build.depth, 4)
  assert.equal(maxDepth(rects), 4)
  const kworker = rects.find((r) => r.node.name === 'kworker')!
  assert.equal(kworker.x, 0.95)
})

test('zooming gives the frame the full width, keeps its ancestors, drops its siblings', () => {
  const root = buildFlameTree(STACKS)
  const rec = root.children[0]!.children[0]!.children[0]!
  const rects = layoutFlame(rec)
  const names = rects.map((r) => r.node.name)
  assert.ok(names.includes('all') && names.includes('main'))
  assert.ok(!names.includes('route_record') && !names.includes('kworker'))
  const z = rects.find((r) => r.node === rec)!
  assert.deepEqual([z.x, z.width], [0, 1])
  const build = rects.find((r) => r.node.name === 'build_checksum_table')!
  assert.equal(build.width, 60 / 70)
})

test('frames too narrow to see are left out', () => {
  const root = buildFlameTree([['a', 10_000], ['b', 1]])
  assert.deepEqual(layoutFlame(root).map((r) => r.node.name), ['all', 'a'])
})

test('search counts each sample once and is plain text', () => {
  const root = buildFlameTree(STACKS)
  const s = searchFlame(root, 'RECORD')
  assert.deepEqual([...s.matches].map((n) => n.name).sort(), ['checksum_record', 'route_record'])
  assert.equal(s.samples, 90)
  assert.equal(s.fraction, 0.9)
  const nested = searchFlame(buildFlameTree([['a;a;a', 4]]), 'a')
  assert.equal(nested.samples, 4, 'a match inside a match is not counted again')
  assert.equal(searchFlame(root, '.*').samples, 0, 'not a regular expression')
  assert.equal(searchFlame(root, '  ').matches.size, 0)
})

test('labels, shares and colours', () => {
  assert.equal(fitLabel('build_checksum_table', 100), 'build_checksum_table')
  assert.equal(fitLabel('build_checksum_table', 6), 'build…')
  assert.equal(fitLabel('build_checksum_table', 2), '')
  assert.equal(formatShare(0.4213), '42.1%')
  assert.equal(formatShare(0.0003), '0.03%')
  assert.equal(formatShare(0.00001), '<0.01%')
  assert.equal(formatShare(0), '0.0%')
  assert.equal(frameColor('main'), frameColor('main'))
  assert.match(frameColor('x'), /^hsl\(\d+ 85% \d+%\)$/)
})

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainStyle } from '../../common/style.ts';
import { parseFolded } from './fold.ts';
import { colourFor, escapeXml, renderSvg } from './svg.ts';
import { renderText } from './text.ts';
import { buildTree, hotFunctions } from './tree.ts';

const FOLDED = parseFolded(['svc;main;handle;crc 80', 'svc;main;handle;parse 15', 'svc;main;log<&> 4', 'svc;main 1'].join('\n'));

test('the tree counts samples through a frame (total) and ending in it (self)', () => {
  const root = buildTree(FOLDED);
  assert.equal(root.total, 100);
  const main = root.children.get('svc')?.children.get('main');
  assert.equal(main?.total, 100);
  assert.equal(main?.self, 1);
  assert.equal(main?.children.get('handle')?.total, 95);
  assert.equal(main?.children.get('handle')?.children.get('crc')?.self, 80);
});

test('hot functions rank by own samples and count recursion once in total', () => {
  const hot = hotFunctions(FOLDED);
  assert.deepEqual(hot.slice(0, 2).map((f) => [f.name, f.self, f.total]), [['crc', 80, 80], ['parse', 15, 15]]);
  const rec = hotFunctions(parseFolded('p;f;f;f 5\np;g 5'));
  assert.deepEqual(rec.map((f) => [f.name, f.self, f.total]), [['f', 5, 5], ['g', 5, 5]]);
});

test('svg: frames as wide as their samples, titles with samples and percent, escaped, deterministic', () => {
  const svg = renderSvg(buildTree(FOLDED), { title: 'a <b> & "c"', width: 1020 });
  assert.equal(svg, renderSvg(buildTree(new Map([...FOLDED].reverse())), { title: 'a <b> & "c"', width: 1020 }));
  assert.match(svg, /<title>crc \(80 samples, 80\.00%\)<\/title><rect x="[\d.]+" y="\d+" width="800"/);
  assert.match(svg, /<title>all \(100 samples, 100\.00%\)<\/title><rect x="10" y="\d+" width="1000"/);
  assert.match(svg, /a &lt;b&gt; &amp; &quot;c&quot;/);
  assert.match(svg, /log&lt;&amp;&gt;/);
  assert.doesNotMatch(svg.replace(/&(amp|lt|gt|quot|apos);/g, ''), /&|<[^/?a-z]/);
  assert.equal(escapeXml(`'`), '&apos;');
  assert.equal(colourFor('crc'), colourFor('crc'));
  // The caller sits one row below its callee.
  const y = (name: string) => Number(new RegExp(`<title>${name} [^<]*</title><rect x="[\\d.]+" y="(\\d+)"`).exec(svg)?.[1]);
  assert.equal(y('handle') - y('crc'), 16);
});

test('text view: hottest functions first, then the tree cut at min percent and at the width', () => {
  const root = buildTree(FOLDED);
  const lines = renderText(FOLDED, root, { top: 2, minPercent: 5, columns: 40 }, plainStyle);
  assert.match(lines[2] ?? '', /^ 80\.0%   80\.0%  crc$/);
  assert.match(lines[3] ?? '', /^ 15\.0%   15\.0%  parse$/);
  assert.equal(lines.length, 4 + 3 + 5);
  const tree = lines.slice(7);
  assert.deepEqual(tree.map((l) => l.slice(16)), ['svc', '└─ main', '   └─ handle', '      ├─ crc', '      └─ parse']);
  assert.ok(lines.every((l) => l.length <= 40), lines.join('\n'));
  assert.deepEqual(renderText(new Map(), buildTree(new Map()), { top: 5, minPercent: 1, columns: 80 }, plainStyle).length, 1);
});

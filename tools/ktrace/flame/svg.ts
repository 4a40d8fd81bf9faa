// An SVG flame graph in the manner of flamegraph.pl: the root at the bottom,
// each frame as wide as its share of the samples, callers below callees,
// siblings in name order; hover a frame for its name, samples and percentage.

import { byName, type FlameNode } from './tree.ts';

export interface SvgOptions {
  readonly title?: string;
  readonly width?: number;
}

const FRAME_H = 16;
const FONT_SIZE = 12;
const PAD_X = 10;
const PAD_TOP = FRAME_H * 3;
const PAD_BOTTOM = FRAME_H * 2;
/** Frames narrower than this many pixels are left out, as flamegraph.pl's minwidth. */
const MIN_WIDTH_PX = 0.1;
/** Average glyph width as a share of the font size, to fit labels in frames. */
const CHAR_W = 0.59;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** A warm colour that depends only on the name, so a function keeps its colour between runs. */
export function colourFor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  const r = 205 + (h % 50);
  const g = Math.floor(((h >>> 8) % 1000) / 1000 * 230);
  const b = Math.floor(((h >>> 20) % 1000) / 1000 * 55);
  return `rgb(${r},${g},${b})`;
}

function depthOf(n: FlameNode): number {
  let d = 0;
  for (const c of n.children.values()) d = Math.max(d, depthOf(c));
  return d + 1;
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export function renderSvg(root: FlameNode, opts: SvgOptions = {}): string {
  const width = opts.width ?? 1200;
  const title = opts.title ?? 'Flame Graph';
  const depth = depthOf(root);
  const height = PAD_TOP + depth * FRAME_H + PAD_BOTTOM;
  const perSample = root.total > 0 ? (width - 2 * PAD_X) / root.total : 0;
  const out: string[] = [
    '<?xml version="1.0" standalone="no"?>',
    `<svg version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="rgb(248,248,240)"/>`,
    `<text x="${width / 2}" y="${FRAME_H * 1.5}" text-anchor="middle" font-family="Verdana,sans-serif" font-size="17">${escapeXml(title)}</text>`,
    `<text x="${PAD_X}" y="${height - FRAME_H / 2}" font-family="Verdana,sans-serif" font-size="${FONT_SIZE}">${root.total} samples; hover a frame for its numbers</text>`,
    `<g font-family="Verdana,sans-serif" font-size="${FONT_SIZE}">`,
  ];
  const draw = (n: FlameNode, level: number, x: number) => {
    const w = n.total * perSample;
    if (w < MIN_WIDTH_PX) return;
    const y = height - PAD_BOTTOM - (level + 1) * FRAME_H;
    const pct = root.total > 0 ? (100 * n.total) / root.total : 0;
    const tip = `${n.name} (${n.total} samples, ${pct.toFixed(2)}%)`;
    const chars = Math.floor((w - 6) / (FONT_SIZE * CHAR_W));
    const label = chars < 3 ? '' : n.name.length <= chars ? n.name : `${n.name.slice(0, chars - 2)}..`;
    out.push(
      `<g><title>${escapeXml(tip)}</title>` +
        `<rect x="${fmt(x)}" y="${y}" width="${fmt(w)}" height="${FRAME_H - 1}" rx="2" fill="${level === 0 ? 'rgb(230,230,230)' : colourFor(n.name)}"/>` +
        (label ? `<text x="${fmt(x + 3)}" y="${y + FRAME_H - 4}">${escapeXml(label)}</text>` : '') +
        '</g>',
    );
    let cx = x;
    for (const c of byName(n)) {
      draw(c, level + 1, cx);
      cx += c.total * perSample;
    }
  };
  draw(root, 0, PAD_X);
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}

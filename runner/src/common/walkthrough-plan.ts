// The walkthrough's script for one lab: in step order, every command block
// with a Run button, then the commands in the hints of that step's tasks.
// Markers (walkthrough-markers.ts) say how each one ends.
import type { ResolvedStep, ResolvedTask } from './lab-schema.ts';
import { describeMode, parseFenceInfo, parseHint, WALKTHROUGH_KEY, type WalkthroughMode } from './walkthrough-markers.ts';

export interface WalkthroughItem {
  /** Where it comes from, for reports: `step 2 block 3` or `hint 1 of find-syscall`. */
  source: string;
  /** The text typed: a block's content, or a hint's code span. */
  command: string;
  mode: WalkthroughMode;
}

export interface WalkthroughPlan {
  items: WalkthroughItem[];
  /** Commands not typed, and why (marked skip, or a hint repeating a command already typed). */
  skipped: string[];
  /** Markers that do not parse: the lab is wrong, and the walkthrough fails naming them. */
  problems: string[];
}

export interface MarkdownFence { info: string; content: string; line: number }

/**
 * Fenced code blocks of a markdown text, as markdown-it finds them: an opening
 * run of three or more ` or ~ (indented or not, e.g. inside a list or a
 * ::: container), closed by a run of the same character at least as long.
 */
export function markdownFences(markdown: string): MarkdownFence[] {
  const out: MarkdownFence[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open || (open[2]![0] === '`' && open[3]!.includes('`'))) continue;
    const [, indent = '', fence = '', info = ''] = open;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) {
      const l = lines[j]!;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    out.push({ info: info.trim(), content: body.join('\n'), line: i + 1 });
    i = j; // an unclosed fence runs to the end, as in markdown-it
  }
  return out;
}

/** `code`{walkthrough=…} outside a fence: a hint-only marker. */
const INLINE_MARKER = new RegExp(`\`\\{${WALKTHROUGH_KEY}=`);

const normalize = (s: string): string => s.trim().replace(/\s+/g, ' ');

export function planWalkthrough(steps: ReadonlyArray<Pick<ResolvedStep, 'file' | 'markdown'>>, tasks: ReadonlyArray<Pick<ResolvedTask, 'id' | 'step' | 'hints'>>): WalkthroughPlan {
  const items: WalkthroughItem[] = [];
  const skipped: string[] = [];
  const problems: string[] = [];
  const typed = new Set<string>();
  steps.forEach((step, i) => {
    let block = 0;
    // Prose code spans are never typed, so a marker after one would only show on the page.
    step.markdown.split('\n').forEach((l, n) => {
      if (INLINE_MARKER.test(l)) problems.push(`${step.file}:${n + 1}: {${WALKTHROUGH_KEY}=…} after a code span works in hints only; step prose is not typed — remove it`);
    });
    for (const f of markdownFences(step.markdown)) {
      const info = parseFenceInfo(f.info);
      for (const p of info.problems) problems.push(`${step.file}:${f.line}: ${p}`);
      if (!info.runnable || !info.mode) continue;
      block++;
      if (info.problems.length) continue; // not typed: how it would end is unknown
      const source = `step ${i + 1} block ${block} (${step.file}:${f.line})`;
      if (!f.content.trim()) { problems.push(`${source}: an empty command block`); continue; }
      if (info.mode.kind === 'skip') { skipped.push(`${source}: marked skip`); continue; }
      items.push({ source, command: f.content.trim(), mode: info.mode });
      typed.add(normalize(f.content));
      for (const line of f.content.split('\n')) typed.add(normalize(line));
    }
    for (const t of tasks.filter((x) => x.step === i + 1)) {
      t.hints.forEach((hint, h) => {
        const parsed = parseHint(hint);
        const where = `hint ${h + 1} of ${t.id}`;
        for (const p of parsed.problems) problems.push(`${where}: ${p}`);
        if (parsed.problems.length) return;
        for (const c of parsed.commands) {
          if (c.mode.kind === 'skip') { skipped.push(`${where}: \`${c.command}\` marked skip`); continue; }
          if (typed.has(normalize(c.command))) { skipped.push(`${where}: \`${c.command}\` typed already`); continue; }
          typed.add(normalize(c.command));
          items.push({ source: where, command: c.command, mode: c.mode });
        }
      });
    }
  });
  return { items, skipped, problems };
}

/** One line per item, for a report or a dry run. */
export function describePlan(plan: WalkthroughPlan): string[] {
  return plan.items.map((it) => `${it.source}: ${it.command.split('\n')[0]}${it.command.includes('\n') ? ' …' : ''} [${describeMode(it.mode)}]`);
}

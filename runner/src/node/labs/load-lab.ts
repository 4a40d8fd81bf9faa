// Reads one lab folder and resolves its lab.yaml into the complete internal form.
// Every problem is collected (file, field, what was expected) rather than
// stopping at the first, so an author fixes a broken lab in one pass.
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { readYaml } from '../util/read-yaml.ts';
import {
  labFileSchema, describeIssues, DEFAULT_CHECK_TIMEOUT_SECONDS, DEFAULT_SOLUTION_TIMEOUT_SECONDS, DEFAULT_VM,
  type LabFile, type ResolvedAnswer, type ResolvedLab, type ResolvedStep, type ResolvedTask,
} from '../../common/lab-schema.ts';
import { parseSize } from '../../common/sizes.ts';
import { DEFAULT_PARAM_ANSWER_PATTERN, PARAM_PLACEHOLDER } from '../../common/params.ts';
import { loadTranslations } from './load-translation.ts';

/** Default self-test budget for one lab (start, symptom, solve, checks, stop). */
const DEFAULT_SELFTEST_TIMEOUT_SECONDS = 300;

export type LoadResult = { ok: true; lab: ResolvedLab } | { ok: false; problems: string[] };

export function loadLab(dir: string): LoadResult {
  const file = join(dir, 'lab.yaml');
  const shown = `${basename(dir)}/lab.yaml`;
  if (!existsSync(file)) return { ok: false, problems: [`${shown}: file is missing (every lab folder needs a lab.yaml)`] };

  const read = readYaml(file, shown);
  if (!read.ok) return { ok: false, problems: [read.problem] };
  const parsed = labFileSchema.safeParse(read.value);
  if (!parsed.success) return { ok: false, problems: describeIssues(shown, parsed.error.issues) };
  const spec = parsed.data;

  const problems: string[] = [];
  if (spec.id !== basename(dir)) problems.push(`${shown}: id: "${spec.id}" must equal the folder name "${basename(dir)}"`);

  const readRel = (rel: string, field: string): string | null => {
    const abs = join(dir, rel);
    if (!existsSync(abs) || !statSync(abs).isFile()) {
      problems.push(`${shown}: ${field}: file "${rel}" does not exist in ${basename(dir)}/`);
      return null;
    }
    return readFileSync(abs, 'utf8');
  };

  const steps: ResolvedStep[] = spec.steps.map((rel, i) => {
    const markdown = readRel(rel, `steps.${i}`) ?? '';
    return { file: rel, title: stepTitle(markdown, rel), markdown };
  });
  const tasks: ResolvedTask[] = spec.tasks.map((t, i) => resolveTask(t, i, readRel));
  const setup = spec.setup ? readRel(spec.setup, 'setup') : null;
  const prepare = spec.vm?.prepare ? readRel(spec.vm.prepare, 'vm.prepare') : null;
  const solutionScript = readRel(spec.solution.script, 'solution.script') ?? '';
  const solutionNotes = spec.solution.notes ? readRel(spec.solution.notes, 'solution.notes') : null;
  const symptom = readRel(spec.selftest.symptom, 'selftest.symptom') ?? '';
  const layerDir = join(dir, 'image');
  // A container lab's image/ is a Dockerfile layer; a VM lab's image/ is files copied into the VM at /opt/lab.
  const hasLayer = spec.backend === 'vm' ? existsSync(layerDir) && statSync(layerDir).isDirectory() : existsSync(join(layerDir, 'Dockerfile'));

  if (spec.backend === 'vm' && spec.capabilities.length > 0) {
    problems.push(`${shown}: capabilities: a vm lab runs as root in its own kernel; remove "capabilities"`);
  }
  if (problems.length) return { ok: false, problems };

  const lab: ResolvedLab = {
    id: spec.id,
    title: spec.title,
    level: spec.level,
    order: spec.order,
    summary: spec.summary,
    minutes: spec.minutes,
    backend: spec.backend,
    image: { base: spec.image, labLayerDir: hasLayer ? layerDir : null },
    resources: {
      memoryBytes: parseSize(spec.resources.memory) ?? 0,
      pids: spec.resources.pids,
      cpus: spec.resources.cpus,
      diskBytes: parseSize(spec.resources.disk) ?? 0,
    },
    capabilities: spec.capabilities,
    ...(spec.placement && Object.keys(spec.placement.nodeLabels).length ? { placement: { nodeLabels: spec.placement.nodeLabels } } : {}),
    vm: spec.backend === 'vm'
      ? {
        memoryMb: spec.vm?.memory ?? DEFAULT_VM.memoryMb,
        cpus: spec.vm?.cpus ?? DEFAULT_VM.cpus,
        cmdline: (spec.vm?.cmdline ?? '').split(' ').filter(Boolean),
        prepare,
        ...(spec.vm?.dataDisk ? { dataDisk: spec.vm.dataDisk } : {}),
      }
      : null,
    params: Object.entries(spec.params).map(([name, p]) => ({ name, choices: p.choices, measuredIn: p.measuredIn ?? [] })),
    dir,
    setup,
    steps,
    tasks,
    solution: { script: solutionScript, notes: solutionNotes, timeoutSeconds: spec.solution.timeout ?? DEFAULT_SOLUTION_TIMEOUT_SECONDS },
    selftest: { symptom, timeoutSeconds: spec.selftest.timeout ?? DEFAULT_SELFTEST_TIMEOUT_SECONDS },
    ...(spec.next ? { next: { read: spec.next.read } } : {}),
    ...(spec.timeline ? { timeline: spec.timeline } : {}),
  };
  const translated = loadTranslations(lab, spec.solution.notes ?? null, stepTitle);
  if (translated.problems.length) return { ok: false, problems: translated.problems };
  return { ok: true, lab: Object.keys(translated.translations).length ? { ...lab, translations: translated.translations } : lab };
}

function resolveTask(
  t: LabFile['tasks'][number],
  i: number,
  readRel: (rel: string, field: string) => string | null,
): ResolvedTask {
  const script = t.check ? readRel(t.check, `tasks.${i}.check`) : null;
  return {
    id: t.id,
    title: t.title,
    step: t.step ?? 1,
    hints: t.hints,
    check: script === null ? null : { script, timeoutSeconds: t.timeout ?? DEFAULT_CHECK_TIMEOUT_SECONDS },
    question: t.question
      ? {
        prompt: t.question.prompt, placeholder: t.question.placeholder ?? '', answer: resolveAnswer(t.question.answer),
        wrong: t.question.wrong.map((w) => ({ answers: w.answers ?? [], pattern: w.pattern ?? null, example: w.example ?? null, message: w.message })),
        why: t.question.why ?? null,
        rules: { attempts: t.question.attempts ?? null, penalty: t.question.penalty ?? 0 },
      }
      : null,
  };
}

/** The schema guarantees pattern and example for fixed answers; parameter answers get defaults. */
function resolveAnswer(a: NonNullable<LabFile['tasks'][number]['question']>['answer']): ResolvedAnswer {
  if (a.param === undefined) return { pattern: a.pattern ?? '', example: a.example ?? '' };
  return { pattern: a.pattern ?? DEFAULT_PARAM_ANSWER_PATTERN, example: a.example ?? PARAM_PLACEHOLDER, param: a.param };
}

/** The first markdown heading names the step; the file name is the fallback. */
function stepTitle(markdown: string, rel: string): string {
  const m = /^#\s+(.+)$/m.exec(markdown);
  return m?.[1]?.trim() ?? basename(rel).replace(/^\d+-/, '').replace(/\.md$/, '').replace(/-/g, ' ');
}

// The lab file (`labs/<id>/lab.yaml`): the user-facing schema an author writes,
// and the complete internal form the runner works with after resolving it.
// Resolution (reading step files, checking scripts exist) lives in
// runner/src/node/labs/; this file stays pure so the browser can share the types.
import { z } from 'zod';
import { SLUG_PATTERN } from './ids.ts';
import { parseSize } from './sizes.ts';

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export type Level = (typeof LEVELS)[number];

export const BACKENDS = ['container', 'vm'] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** Capabilities a lab may ask for. Anything else (e.g. SYS_MODULE on a container) is refused. */
export const CONTAINER_CAPABILITIES = [
  'SYS_ADMIN', 'SYS_PTRACE', 'PERFMON', 'BPF', 'SYSLOG', 'NET_ADMIN', 'IPC_LOCK', 'SYS_NICE',
] as const;

/** Default per-task check time limit; a check that needs longer says so in `timeout`. */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 30;

const slug = z.string().regex(SLUG_PATTERN, 'expected lower-case letters, digits and dashes, e.g. "syscall-storm"');
const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a path inside the lab folder (no leading "/", no "..")');
const size = z
  .string()
  .refine((s) => parseSize(s) !== null, 'expected a size such as "512m" or "1g"');

const answerSchema = z
  .object({
    pattern: z
      .string()
      .refine((p) => { try { new RegExp(p); return true; } catch { return false; } }, 'expected a valid regular expression'),
    example: z.string().min(1).describe('a correct answer; the self-test checks that it is accepted'),
  })
  .strict();

const questionSchema = z
  .object({
    prompt: z.string().min(1),
    placeholder: z.string().optional(),
    answer: answerSchema,
  })
  .strict();

const taskSchema = z
  .object({
    id: slug,
    title: z.string().min(1),
    step: z.number().int().min(1).optional(),
    check: relPath.optional(),
    timeout: z.number().int().min(1).max(600).optional(),
    question: questionSchema.optional(),
    hints: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .refine((t) => t.check !== undefined || t.question !== undefined, {
    message: 'a task needs a "check" script, a "question", or both',
  });

export const labFileSchema = z
  .object({
    id: slug,
    title: z.string().min(1),
    level: z.enum(LEVELS),
    summary: z.string().min(1),
    minutes: z.number().int().min(1).max(600),
    backend: z.enum(BACKENDS).default('container'),
    image: slug.default('base'),
    resources: z
      .object({
        memory: size.default('512m'),
        pids: z.number().int().min(16).max(4096).default(256),
        cpus: z.number().min(0.1).max(8).default(1),
      })
      .strict()
      .default({ memory: '512m', pids: 256, cpus: 1 }),
    capabilities: z.array(z.enum(CONTAINER_CAPABILITIES)).default([]),
    setup: relPath.optional(),
    steps: z.array(relPath).min(1),
    tasks: z.array(taskSchema).min(1),
    solution: z
      .object({ script: relPath, notes: relPath.optional() })
      .strict(),
    selftest: z
      .object({
        symptom: relPath.describe('exits 0 while the fault is present; the self-test requires it before the solution'),
        timeout: z.number().int().min(1).max(1800).optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((lab, ctx) => {
    const seen = new Set<string>();
    lab.tasks.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id "${t.id}"` });
      seen.add(t.id);
      if (t.step !== undefined && t.step > lab.steps.length) {
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'step'], message: `step ${t.step} does not exist (the lab has ${lab.steps.length} steps)` });
      }
    });
  });

export type LabFile = z.infer<typeof labFileSchema>;

// ---- Resolved form: everything read, checked and given its final value. ----

export interface ResolvedAnswer {
  /** Case-insensitive, tested against the trimmed answer. */
  pattern: string;
  example: string;
}

export interface ResolvedTask {
  id: string;
  title: string;
  /** 1-based index into `steps`; the step the task belongs to. */
  step: number;
  hints: string[];
  check: { script: string; timeoutSeconds: number } | null;
  question: { prompt: string; placeholder: string; answer: ResolvedAnswer } | null;
}

export interface ResolvedStep {
  file: string;
  title: string;
  markdown: string;
}

export interface ResolvedLab {
  id: string;
  title: string;
  level: Level;
  summary: string;
  minutes: number;
  backend: BackendKind;
  /** Base image name (`base`); the lab's own `image/` folder, when present, layers on it. */
  image: { base: string; labLayerDir: string | null };
  resources: { memoryBytes: number; pids: number; cpus: number };
  capabilities: string[];
  /** Absolute folder of the lab on the runner's disk. */
  dir: string;
  /** Script contents are read at load time so a running lab never sees a half-edited file. */
  setup: string | null;
  steps: ResolvedStep[];
  tasks: ResolvedTask[];
  solution: { script: string; notes: string | null };
  selftest: { symptom: string; timeoutSeconds: number };
}

// ---- What the browser and CLI may see: no answers, no scripts, no solution. ----

export interface PublicTask {
  id: string;
  title: string;
  step: number;
  hasCheck: boolean;
  question: { prompt: string; placeholder: string } | null;
  hintCount: number;
}

export interface PublicLab {
  id: string;
  title: string;
  level: Level;
  summary: string;
  minutes: number;
  backend: BackendKind;
  steps: ResolvedStep[];
  tasks: PublicTask[];
  hasSolutionNotes: boolean;
}

export function toPublicLab(lab: ResolvedLab): PublicLab {
  return {
    id: lab.id,
    title: lab.title,
    level: lab.level,
    summary: lab.summary,
    minutes: lab.minutes,
    backend: lab.backend,
    steps: lab.steps,
    tasks: lab.tasks.map((t) => ({
      id: t.id,
      title: t.title,
      step: t.step,
      hasCheck: t.check !== null,
      question: t.question ? { prompt: t.question.prompt, placeholder: t.question.placeholder } : null,
      hintCount: t.hints.length,
    })),
    hasSolutionNotes: lab.solution.notes !== null,
  };
}

/** Formats zod issues as `file: field.path: message` lines, one per problem. */
export function describeIssues(file: string, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((i) => {
    const field = i.path.length ? i.path.map(String).join('.') : '(top level)';
    return `${file}: ${field}: ${i.message}`;
  });
}

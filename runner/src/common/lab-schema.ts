// The lab file (`labs/<id>/lab.yaml`): the user-facing schema an author writes,
// and the complete internal form the runner works with after resolving it.
// Resolution (reading step files, checking scripts exist) lives in
// runner/src/node/labs/; this file stays pure so the browser can share the types.
import { z } from 'zod';
import { SLUG_PATTERN } from './ids.ts';
import { parseSize } from './sizes.ts';
import {
  DEFAULT_PARAM_ANSWER_PATTERN, fillPlaceholder, isRegExp, MAX_PARAM_CHOICES, MEASURED_IN_PATTERN, PARAM_NAME_PATTERN, PARAM_PLACEHOLDER,
  PARAM_VALUE_PATTERN, type ResolvedParam,
} from './params.ts';
import { parseHint } from './walkthrough-markers.ts';
import type { LabTranslation, TranslatedLang } from './lab-translation-schema.ts';
import { hostRootReasons } from './host-root.ts';
import { MAX_QUESTION_ATTEMPTS, NO_ATTEMPT_RULES, type AttemptRules } from './attempts.ts';

export const LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
export type Level = (typeof LEVELS)[number];
/** A lab without `order` goes after the ordered ones of its level (then by id). */
export const DEFAULT_LAB_ORDER = 100;

export const BACKENDS = ['container', 'vm'] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** Capabilities a lab may ask for. Anything else (e.g. SYS_MODULE on a container) is refused. */
export const CONTAINER_CAPABILITIES = [
  'SYS_ADMIN', 'SYS_PTRACE', 'PERFMON', 'BPF', 'SYSLOG', 'NET_ADMIN', 'IPC_LOCK', 'SYS_NICE',
] as const;

/** Default per-task check time limit; a check that needs longer says so in `timeout`. */
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 30;
/** A solution script rebuilds and restarts things; five minutes covers every container lab on a loaded 2-core host. */
export const DEFAULT_SOLUTION_TIMEOUT_SECONDS = 300;

/** A VM lab without a `vm:` section gets these: enough for a shell, gcc and a kernel module build. */
export const DEFAULT_VM = { memoryMb: 1024, cpus: 1 } as const;
/** Kernel parameters the runner sets itself for every VM (root disk, serial console, init). */
export const VM_RESERVED_PARAMS = ['root', 'rootfstype', 'console', 'init', 'rdinit', 'rw', 'ro'] as const;

const slug = z.string().regex(SLUG_PATTERN, 'expected lower-case letters, digits and dashes, e.g. "syscall-storm"');
const relPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'expected a path inside the lab folder (no leading "/", no "..")');
/** A container lab's writable layer: room for perf data and logs, far from a host disk's size. */
export const DEFAULT_DISK_QUOTA = '2g';

const size = z
  .string()
  .refine((s) => parseSize(s) !== null, 'expected a size such as "512m" or "1g"');


/**
 * A fixed answer (`pattern` + `example`), or the learner's own value of a
 * parameter (`param`; `pattern`/`example` then may use `{{value}}`).
 */
const answerSchema = z
  .object({
    pattern: z.string().min(1).optional(),
    example: z.string().min(1).optional().describe('a correct answer; the self-test checks that it is accepted'),
    param: z.string().regex(PARAM_NAME_PATTERN, 'expected a parameter name declared under "params"').optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.param === undefined) {
      if (a.pattern === undefined) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'expected a regular expression (or "param" to expect the learner\'s parameter value)' });
      else if (!isRegExp(a.pattern)) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'expected a valid regular expression' });
      if (a.example === undefined) ctx.addIssue({ code: 'custom', path: ['example'], message: 'expected a correct answer; the self-test checks that it is accepted' });
    } else if (a.pattern !== undefined && !a.pattern.includes(PARAM_PLACEHOLDER)) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `a parameter answer's pattern must contain ${PARAM_PLACEHOLDER} where the learner's value goes` });
    }
  });

/**
 * A per-session data disk for a VM lab (the guest sees it as
 * /dev/disk/by-id/virtio-kdlabs-data), optionally throttled by QEMU so the
 * device itself is the bottleneck a lab is about.
 */
export const dataDiskSchema = z
  .object({
    sizeMb: z.number().int('expected whole MiB').min(16, 'expected at least 16 (MiB)').max(8192, 'expected at most 8192 (MiB)').describe('size in MiB; the disk starts empty'),
    iops: z.number().int('expected whole requests per second').min(10, 'expected at least 10 requests per second').max(1_000_000, 'expected at most 1000000 requests per second')
      .optional().describe('requests per second, reads and writes together (QEMU throttling.iops-total); none: not limited'),
    bps: z.number().int('expected whole bytes per second').min(65_536, 'expected at least 65536 bytes per second').max(10 * 2 ** 30, 'expected at most 10 GiB per second')
      .optional().describe('bytes per second, reads and writes together (QEMU throttling.bps-total); none: not limited'),
  })
  .strict();
export type DataDiskSpec = z.infer<typeof dataDiskSchema>;

const vmSchema = z
  .object({
    memory: z.number().int().min(256).max(16384).optional().describe('guest RAM in MiB'),
    cpus: z.number().int().min(1).max(8).optional(),
    cmdline: z
      .string()
      .max(512)
      .refine((s) => /^[\x21-\x7e ]*$/.test(s), 'expected kernel parameters: printable ASCII separated by spaces, e.g. "oops=panic"')
      .refine(
        (s) => !s.split(' ').some((p) => (VM_RESERVED_PARAMS as readonly string[]).includes(p.split('=')[0]!)),
        `the runner sets ${VM_RESERVED_PARAMS.map((p) => `"${p}"`).join(', ')} itself; leave them out of vm.cmdline`,
      )
      .optional()
      .describe('extra kernel command line parameters, e.g. "oops=panic"'),
    prepare: relPath
      .optional()
      .describe('script run once in the VM before its state is saved (at `labs build`), e.g. to compile the lab\'s modules; on a cold boot it runs before setup'),
    dataDisk: dataDiskSchema.optional().describe('a per-session data disk, e.g. { sizeMb: 512, iops: 200, bps: 8388608 }'),
  })
  .strict();

const paramSchema = z
  .object({
    choices: z
      .array(z.string().regex(PARAM_VALUE_PATTERN, 'expected letters, digits, ".", "_", "+" or "-" (at most 64)'))
      .min(2, 'expected at least two choices (one choice is a constant)')
      .max(MAX_PARAM_CHOICES)
      .refine((c) => new Set(c).size === c.length, 'expected distinct choices'),
    measuredIn: z
      .array(z.string().regex(MEASURED_IN_PATTERN, 'expected an absolute path of letters, digits, ".", "_", "-" and "/"'))
      .max(8)
      .optional()
      .describe('files that show the value because reading them is the measurement a step teaches; the self-test does not count them as leaks'),
  })
  .strict();

/**
 * A wrong answer learners give, with what to tell them ("that is the vmstat
 * column for user time"). Matched by canonical form (`answers`, see answers.ts)
 * or by a case-insensitive `pattern` (with an `example` the self-test submits).
 */
const wrongAnswerSchema = z
  .object({
    answers: z.array(z.string().min(1)).min(1).optional().describe('wrong answers, compared in canonical form (case, quotes, %, (), (2), sys_ do not matter)'),
    pattern: z.string().min(1).refine(isRegExp, 'expected a valid regular expression').optional(),
    example: z.string().min(1).optional().describe('an answer the pattern matches; the self-test checks it is refused with this message'),
    message: z.string().min(1).max(500).describe('what the learner is told: what their answer actually is, and where to look instead'),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.answers === undefined && w.pattern === undefined) ctx.addIssue({ code: 'custom', message: 'a wrong answer needs "answers" (a list) or a "pattern"' });
    if (w.pattern !== undefined && w.example === undefined) ctx.addIssue({ code: 'custom', path: ['example'], message: 'a wrong-answer pattern needs an "example" the self-test can submit' });
  });

const questionSchema = z
  .object({
    prompt: z.string().min(1),
    placeholder: z.string().optional(),
    answer: answerSchema,
    /** Known wrong answers, each with its own message; the first that matches speaks. */
    wrong: z.array(wrongAnswerSchema).default([]),
    /** Why the right answer is right: shown when the learner passes. */
    why: z.string().min(1).max(500).optional(),
    /** Wrong answers after which the question closes (attempts.ts); none: no limit. */
    attempts: z
      .number({ error: `expected a whole number of attempts from 1 to ${MAX_QUESTION_ATTEMPTS}, e.g. "attempts: 2"` })
      .int(`expected a whole number of attempts from 1 to ${MAX_QUESTION_ATTEMPTS}, e.g. "attempts: 2"`)
      .min(1, 'expected at least 1 attempt (leave "attempts" out for no limit)')
      .max(MAX_QUESTION_ATTEMPTS, `expected at most ${MAX_QUESTION_ATTEMPTS} attempts (leave "attempts" out for no limit)`)
      .optional(),
    /** Fraction of the task's one point each wrong answer before the pass costs (attempts.ts); none: 0. */
    penalty: z
      .number({ error: 'expected a fraction of the task\'s one point per wrong answer, from 0.01 to 1, e.g. "penalty: 0.25"' })
      .min(0.01, 'expected a penalty of at least 0.01 (leave "penalty" out for none)')
      .max(1, 'expected a penalty of at most 1 (the whole point: one wrong answer then scores 0)')
      .optional(),
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
    hints: z.array(z.string().min(1).superRefine((hint, ctx) => {
      for (const message of parseHint(hint).problems) ctx.addIssue({ code: 'custom', message });
    })).default([]),
  })
  .strict()
  .refine((t) => t.check !== undefined || t.question !== undefined, {
    message: 'a task needs a "check" script, a "question", or both',
  });

/** Longest lab-declared timeline title: it is a plot's heading. */
const MAX_TIMELINE_TITLE = 120;

/**
 * A lab's latency log: one line per request, `<unix ms> <latency ms> [status]`.
 * The runner reads its tail inside the lab and draws it per second.
 */
export const timelineSchema = z
  .object({
    title: z.string().min(1).max(MAX_TIMELINE_TITLE),
    /** Absolute path inside the lab. */
    log: z.string().regex(/^\/[A-Za-z0-9._\/-]{1,200}$/, 'expected an absolute path inside the lab (letters, digits, ".", "_", "-", "/")'),
    /** The status field that means success; other statuses count as errors. Without it every line counts as a success. */
    ok: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/).optional(),
    /** Latency (ms) above which the lab's own checks call a request slow; drawn as a line. */
    slowAbove: z.number().positive().max(3_600_000).optional(),
  })
  .strict();
export type TimelineDeclaration = z.infer<typeof timelineSchema>;

/** Swarm node label names and values a lab may ask for; no spaces, "=" or "!", which would change the constraint. */
const NODE_LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const NODE_LABEL_VALUE = /^[A-Za-z0-9._-]{1,63}$/;
/** The node label that holds a pool node's engine address (docs/scale-out.md). */
export const ENGINE_NODE_LABEL = 'kdlabs.engine';

export const labFileSchema = z
  .object({
    id: slug,
    title: z.string().min(1),
    level: z.enum(LEVELS),
    /** Where the lab sits among the labs of its level, as the roadmap teaches them: lower first. */
    order: z.number().int().min(0).max(10_000).default(DEFAULT_LAB_ORDER),
    summary: z.string().min(1),
    minutes: z.number().int().min(1).max(600),
    backend: z.enum(BACKENDS).default('container'),
    image: slug.default('base'),
    resources: z
      .object({
        memory: size.default('512m'),
        pids: z.number().int().min(16).max(4096).default(256),
        cpus: z.number().min(0.1).max(8).default(1),
        /** What a container lab may write to the host's disk; a VM lab's is its virtual disk. */
        disk: size.default(DEFAULT_DISK_QUOTA),
      })
      .strict()
      .default({ memory: '512m', pids: 256, cpus: 1, disk: DEFAULT_DISK_QUOTA }),
    capabilities: z.array(z.enum(CONTAINER_CAPABILITIES)).default([]),
    /** Where a workshop pool may run the lab: only on Swarm nodes carrying these labels. A single machine ignores it. */
    placement: z
      .object({
        nodeLabels: z.record(
          z.string().regex(NODE_LABEL_KEY, 'expected a node label name such as "kdlabs.disk" (letters, digits, ".", "_", "-")'),
          z.string().regex(NODE_LABEL_VALUE, 'expected a label value such as "nvme" (letters, digits, ".", "_", "-"; at most 63)'),
        ),
      })
      .strict()
      .optional(),
    vm: vmSchema.optional().describe('VM size and kernel parameters; only for backend: vm'),
    /** Values picked per learner; scripts get KDLABS_PARAM_<NAME>, answers may expect them. */
    params: z.record(z.string(), paramSchema).default({}),
    setup: relPath.optional(),
    steps: z.array(relPath).min(1),
    tasks: z.array(taskSchema).min(1),
    solution: z
      .object({
        script: relPath,
        notes: relPath.optional(),
        /** Seconds the self-test gives the solution script; a VM lab that runs crash or builds a module on an emulated CPU needs more. */
        timeout: z.number().int().min(1).max(1800).optional(),
      })
      .strict(),
    /** The completion card's reading list; without it the card links the lab's case study, when there is one. */
    next: z
      .object({
        read: z.array(z.object({
          title: z.string().min(1).max(120),
          link: z.string().min(1).refine((l) => /^(\/|https?:\/\/)/.test(l), 'expected a site path ("/case-studies/…") or an http(s) URL'),
        }).strict()).max(8).default([]),
      })
      .strict()
      .optional(),
    /** A latency log the lab writes, drawn as a live latency-over-time plot beside the terminal. */
    timeline: timelineSchema.optional(),
    selftest: z
      .object({
        symptom: relPath.describe('exits 0 while the fault is present; the self-test requires it before the solution'),
        timeout: z.number().int().min(1).max(1800).optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((lab, ctx) => {
    if (lab.vm && lab.backend !== 'vm') {
      ctx.addIssue({ code: 'custom', path: ['vm'], message: 'only a lab with "backend: vm" has a vm section' });
    }
    if (lab.placement && lab.backend === 'vm') {
      ctx.addIssue({ code: 'custom', path: ['placement'], message: 'only a container lab is placed on a workshop pool; a vm lab runs on the runner\'s machine' });
    }
    for (const key of Object.keys(lab.placement?.nodeLabels ?? {})) {
      if (key === ENGINE_NODE_LABEL) ctx.addIssue({ code: 'custom', path: ['placement', 'nodeLabels', key], message: `"${ENGINE_NODE_LABEL}" is every node\'s engine address, not a property a lab can ask for` });
    }
    for (const name of Object.keys(lab.params)) {
      if (!PARAM_NAME_PATTERN.test(name)) ctx.addIssue({ code: 'custom', path: ['params', name], message: 'expected a lower-case name such as "syscall" (letters, digits, "_"; it becomes KDLABS_PARAM_<NAME>)' });
    }
    const seen = new Set<string>();
    lab.tasks.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id "${t.id}"` });
      seen.add(t.id);
      if (t.step !== undefined && t.step > lab.steps.length) {
        ctx.addIssue({ code: 'custom', path: ['tasks', i, 'step'], message: `step ${t.step} does not exist (the lab has ${lab.steps.length} steps)` });
      }
      const answer = t.question?.answer;
      if (answer?.param !== undefined) {
        const param = lab.params[answer.param];
        if (!param) {
          const known = Object.keys(lab.params);
          ctx.addIssue({ code: 'custom', path: ['tasks', i, 'question', 'answer', 'param'], message: `no parameter "${answer.param}" under "params" (${known.length ? `declared: ${known.join(', ')}` : 'none declared'})` });
        } else {
          const bad = param.choices.find((c) => !isRegExp(fillPlaceholder(answer.pattern ?? DEFAULT_PARAM_ANSWER_PATTERN, c, true)));
          if (bad !== undefined) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'question', 'answer', 'pattern'], message: `not a valid regular expression with ${PARAM_PLACEHOLDER} = "${bad}"` });
        }
      }
    });
  });

export type LabFile = z.infer<typeof labFileSchema>;

// ---- Resolved form: everything read, checked and given its final value. ----

export interface ResolvedAnswer {
  /** Case-insensitive, tested against the trimmed answer. With `param`, `{{value}}` stands for the learner's value. */
  pattern: string;
  /** With `param`, a template too (`{{value}}` by default). */
  example: string;
  /** The parameter whose per-learner value is the answer (see params.ts). */
  param?: string;
}

/** A declared wrong answer (lab.yaml `wrong:`). */
export interface ResolvedWrongAnswer {
  /** Compared in canonical form (answers.ts canonicalAnswer). */
  answers: string[];
  /** Case-insensitive, tried on the answer as typed and in canonical form; null when only `answers` are given. */
  pattern: string | null;
  /** Submitted by the self-test, which expects `message` back: the `answers`, plus this for a pattern. */
  example: string | null;
  message: string;
}

export interface ResolvedQuestion {
  prompt: string;
  placeholder: string;
  answer: ResolvedAnswer;
  /** Known wrong answers with their messages; absent means none. */
  wrong?: ResolvedWrongAnswer[];
  /** Why the right answer is right, shown on a pass; absent: a plain "Correct." */
  why?: string | null;
  /** Attempt limit and penalty (attempts.ts); absent: no limit, no penalty. */
  rules?: AttemptRules;
}

/** A question's attempt rules, with the defaults for a question that sets none. */
export function questionRules(q: Pick<ResolvedQuestion, 'rules'> | null | undefined): AttemptRules {
  return q?.rules ?? NO_ATTEMPT_RULES;
}

/** A link on the completion card's "read next". */
export interface ReadNext { title: string; link: string }

export interface ResolvedTask {
  id: string;
  title: string;
  /** 1-based index into `steps`; the step the task belongs to. */
  step: number;
  /** As written in lab.yaml: may carry `{walkthrough=…}` markers, which parseHint removes before a learner sees one. */
  hints: string[];
  check: { script: string; timeoutSeconds: number } | null;
  question: ResolvedQuestion | null;
}

export interface ResolvedStep {
  file: string;
  title: string;
  markdown: string;
}

export interface ResolvedVm {
  memoryMb: number;
  cpus: number;
  /** Extra kernel parameters, one per entry, appended after the runner's own. */
  cmdline: string[];
  /** The `vm.prepare` script's contents: run once before the saved state is taken (or after a cold boot, before setup). */
  prepare: string | null;
  /** The lab's data disk (vm.dataDisk); absent or null: none. */
  dataDisk?: DataDiskSpec | null;
}

export interface ResolvedLab {
  id: string;
  title: string;
  level: Level;
  /** Position among the labs of its level (lab.yaml `order`); see compareLabs. */
  order: number;
  summary: string;
  minutes: number;
  backend: BackendKind;
  /** Base image name (`base`); the lab's own `image/` folder, when present, layers on it. */
  image: { base: string; labLayerDir: string | null };
  /** diskBytes: what a container lab may write to the host's disk (its writable layer). */
  resources: { memoryBytes: number; pids: number; cpus: number; diskBytes: number };
  capabilities: string[];
  /** Node labels a workshop pool's node must carry to run the lab (lab.yaml `placement.nodeLabels`); absent: any node. */
  placement?: { nodeLabels: Record<string, string> };
  /** Set exactly when `backend` is `vm`: guest size and the lab's extra kernel parameters. */
  vm: ResolvedVm | null;
  /** Per-learner parameters, in file order; never sent to the browser. */
  params: ResolvedParam[];
  /** Absolute folder of the lab on the runner's disk. */
  dir: string;
  /** Script contents are read at load time so a running lab never sees a half-edited file. */
  setup: string | null;
  steps: ResolvedStep[];
  tasks: ResolvedTask[];
  solution: { script: string; notes: string | null; timeoutSeconds: number };
  selftest: { symptom: string; timeoutSeconds: number };
  /** What to read after the lab (lab.yaml `next.read`); absent or empty: the site links its case study, if any. */
  next?: { read: ReadNext[] };
  /** The lab's latency log for the latency-over-time plot (lab.yaml `timeline`); absent: no plot. */
  timeline?: TimelineDeclaration;
  /** The lab in other languages (lab.<lang>.yaml and its .<lang>.md files); absent: English only. */
  translations?: Partial<Record<TranslatedLang, LabTranslation>>;
}

/** The order learners take labs in: by level, then `order` (the roadmap's), then id — never the alphabet alone. */
export function compareLabs(a: Pick<ResolvedLab, 'id' | 'level' | 'order'>, b: Pick<ResolvedLab, 'id' | 'level' | 'order'>): number {
  return LEVELS.indexOf(a.level) - LEVELS.indexOf(b.level) || a.order - b.order || a.id.localeCompare(b.id);
}

// ---- What the browser and CLI may see: no answers, no scripts, no solution. ----

export interface PublicTask {
  id: string;
  title: string;
  step: number;
  hasCheck: boolean;
  /** `rules`: the attempt limit and penalty, shown before the learner answers. */
  question: { prompt: string; placeholder: string; rules: AttemptRules } | null;
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
  /** The author's reading list for the completion card (may be empty). */
  readNext?: ReadNext[];
  /** Present exactly when the lab declares a latency log: the page shows a latency-over-time plot. */
  timeline?: { title: string; slowAbove: number | null };
  /** Why this lab gives its learner root on the host (host-root.ts); empty for VM labs and confined containers. */
  hostRoot: string[];
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
      question: t.question ? { prompt: t.question.prompt, placeholder: t.question.placeholder, rules: questionRules(t.question) } : null,
      hintCount: t.hints.length,
    })),
    hasSolutionNotes: lab.solution.notes !== null,
    hostRoot: hostRootReasons(lab),
    // Answers, wrong answers and their messages stay on the runner: only the reading list goes out.
    readNext: lab.next?.read ?? [],
    // The log's path stays on the runner: the page only needs to know there is a plot.
    ...(lab.timeline ? { timeline: { title: lab.timeline.title, slowAbove: lab.timeline.slowAbove ?? null } } : {}),
  };
}

/** Formats zod issues as `file: field.path: message` lines, one per problem. */
export function describeIssues(file: string, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  return issues.map((i) => {
    const field = i.path.length ? i.path.map(String).join('.') : '(top level)';
    return `${file}: ${field}: ${i.message}`;
  });
}

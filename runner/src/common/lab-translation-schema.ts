// The file format of a lab's translation (lab.<lang>.yaml) and its resolved
// form. Types only, so lab-schema.ts can name them without a cycle; the logic
// is in lab-translation.ts.
import { z } from 'zod';
import type { Lang } from './langs.ts';

/** The languages a lab is translated into (English is the source). */
export const TRANSLATED_LANGS = ['ko'] as const satisfies readonly Lang[];
export type TranslatedLang = (typeof TRANSLATED_LANGS)[number];

const text = z.string().min(1);

const taskTranslationSchema = z.object({
  title: text,
  prompt: text.optional(),
  placeholder: text.optional(),
  why: text.optional(),
  wrong: z.array(text).optional(),
  hints: z.array(text).optional(),
}).strict();

export const labTranslationFileSchema = z.object({
  title: text,
  summary: text,
  tasks: z.record(z.string(), taskTranslationSchema),
  timeline: z.object({ title: text }).strict().optional(),
  next: z.object({ read: z.array(text) }).strict().optional(),
  /** The banner a container lab's shell opens with (its image's files/motd), in this language: paths and commands unchanged. */
  motd: text.optional(),
}).strict();
export type LabTranslationFile = z.infer<typeof labTranslationFileSchema>;

/** A resolved translation: the file's strings plus the translated step and solution files. */
export interface LabTranslation {
  file: LabTranslationFile;
  /** The translated step files, in lab.yaml's order. */
  steps: Array<{ file: string; title: string; markdown: string }>;
  solutionNotes: string | null;
}


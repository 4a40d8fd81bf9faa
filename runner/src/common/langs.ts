// The languages a learner reads the site and the labs in. English is the
// source every translation follows; Korean is the language of the seed material.
import { z } from 'zod';

export const LANGS = ['en', 'ko'] as const;
export type Lang = (typeof LANGS)[number];

export const DEFAULT_LANG: Lang = 'en';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** A page's language tag (VitePress `lang`: "en-US", "ko-KR") as one of ours; anything else is English. */
export function langOfTag(tag: string | null | undefined): Lang {
  const base = (tag ?? '').toLowerCase().split('-')[0];
  return isLang(base) ? base : DEFAULT_LANG;
}

/**
 * Text a learner reads, in every language: `{ en, ko }`. A plain string is
 * English only (allowed while a file is being written; the translation test
 * names every such string).
 */
export const localizedSchema = z.union([
  z.string().min(1),
  z.object({ en: z.string().min(1), ko: z.string().min(1).optional() }).strict(),
], { error: 'expected text: a string, or { en: "...", ko: "..." } with the Korean next to the English' });
export type Localized = z.infer<typeof localizedSchema>;

/** The text in `lang`, falling back to English where no translation exists. */
export function pick(text: Localized, lang: Lang): string {
  if (typeof text === 'string') return text;
  return (lang === 'ko' ? text.ko : undefined) ?? text.en;
}

/** Is there a translation of `text` into every language? */
export function isTranslated(text: Localized): boolean {
  return typeof text !== 'string' && LANGS.every((l) => l === 'en' || (text as Record<string, string | undefined>)[l] !== undefined);
}

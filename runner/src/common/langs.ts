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

/** Something the runner itself says (a start's progress, an error), in every language. */
export type Words = Record<Lang, string>;

/** The same text in every language: tool output, a path, a number — what is quoted, not worded. */
export function verbatim(text: string): Words {
  return { en: text, ko: text };
}

/**
 * The language a request asks for: `?lang=` where given, else the first tag of its
 * Accept-Language header (the site's pages send theirs), else English.
 */
export function requestLang(query: string | null, acceptLanguage: string | undefined): Lang | { unknown: string } {
  if (query !== null) return isLang(query) ? query : { unknown: query };
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim();
  return langOfTag(first);
}

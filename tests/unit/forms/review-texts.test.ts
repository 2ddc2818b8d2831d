// The review page's and the returned-interview texts in Kazakh and Russian: every key translated (not the English
// left in place), with the same placeholders as the English, so nothing prints "{count}" or drops a number.
import { describe, expect, it } from 'vitest';
import { REVIEW_TEXTS } from '../../../forms/dashboard/review.texts.js';
import { RETURNED_TEXTS } from '../../../forms/model/returned.texts.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/** Words of a template outside its placeholders: a template without any ("{item}: {before} → {after}") is the same in every language. */
const words = (s: string) => s.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '');

describe.each([['review page', REVIEW_TEXTS], ['returned interviews', RETURNED_TEXTS]] as const)('%s texts', (_name, texts) => {
  it.each(['kk', 'ru'] as const)('are all translated into %s with the English placeholders', (lang) => {
    for (const [key, en] of Object.entries(texts.en)) {
      const translated = (texts[lang] as Record<string, string>)[key] as string;
      expect({ key, placeholders: placeholders(translated) }).toEqual({ key, placeholders: placeholders(en) });
      if (words(en) !== '' && !/^[A-Z]$/.test(words(en))) expect({ key, translated }).not.toEqual({ key, translated: en });
      expect(translated.trim()).not.toBe('');
    }
  });
});

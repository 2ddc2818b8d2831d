// The social concerns fill the impact questions' placeholders in the reader's language, in the form's texts and in
// any computed text; without a setting a neutral phrase of that language stands in, never "{concern1}".
import { describe, expect, it } from 'vitest';
import { withConcerns, withConcernsIn, type SocialConcerns } from '../../../schemas/concerns.js';
import { itemById } from '../../../schemas/items.js';
import { bundles, LANGUAGES } from '../../../schemas/labels.js';
import { Texts } from '../../../forms/model/texts.js';

const CONCERNS: SocialConcerns = {
  concern1: { kk: 'Кедейлік', ru: 'Бедность', en: 'Poverty' },
  concern2: { kk: 'Жұмыссыздық', ru: 'Безработица', en: 'Unemployment' },
};

describe('social concerns in labels', () => {
  it('names each concern in the language of the label', () => {
    expect(withConcerns('impact on {concern1} and {concern2}', 'ru', CONCERNS)).toBe('impact on Бедность and Безработица');
    expect(withConcerns('impact on {concern1} and {concern2}', 'kk', CONCERNS)).toBe('impact on Кедейлік and Жұмыссыздық');
    expect(withConcerns('{concern2}', 'en', CONCERNS)).toBe('Unemployment');
  });

  it('leaves other placeholders and labels without one as they are', () => {
    expect(withConcerns('{region} {concern1}', 'en', CONCERNS)).toBe('{region} Poverty');
    expect(withConcerns('no placeholder', 'en', null)).toBe('no placeholder');
  });

  it('uses the language bundle\'s neutral phrase while no concerns are set', () => {
    for (const lang of LANGUAGES) {
      const neutral = bundles[lang].common.ui.concern1_neutral;
      expect(neutral, lang).toBeTruthy();
      expect(withConcerns('{concern1}', lang, null)).toBe(neutral);
      expect(withConcerns('{concern2}', lang, null)).toBe(bundles[lang].common.ui.concern2_neutral);
    }
    expect(withConcerns('{concern1}', 'ru', null)).not.toBe(withConcerns('{concern1}', 'en', null));
  });

  it('fills every string of a computed report, leaving numbers alone', () => {
    const report = { indicators: [{ rule: 'share on {concern1}', value: 42, components: [{ label: '{concern2}', n: 3 }] }], flag: null };
    expect(withConcernsIn(report, 'en', CONCERNS)).toEqual({ indicators: [{ rule: 'share on Poverty', value: 42, components: [{ label: 'Unemployment', n: 3 }] }], flag: null });
  });

  it('gives the form the organisational and external impact questions with the concern named, in each language', () => {
    for (const [survey, ids] of [['organisational', ['os_impact_concern_1', 'os_impact_concern_2']], ['external', ['es_impact_concern_1', 'es_impact_concern_2']]] as const) {
      for (const lang of LANGUAGES) {
        const [first, second] = ids.map((id) => itemById(survey, id));
        if (!first || !second) throw new Error(`${survey} has no impact questions`);
        const set = new Texts(lang, survey, undefined, CONCERNS);
        expect(set.label(first)).toContain(CONCERNS.concern1[lang]);
        expect(set.label(second)).toContain(CONCERNS.concern2[lang]);
        const unset = new Texts(lang, survey);
        expect(unset.label(first)).toContain(bundles[lang].common.ui.concern1_neutral);
        for (const label of [set.label(first), set.label(second), unset.label(first), unset.labelOf(second.id)]) expect(label).not.toContain('{concern');
      }
    }
  });
});

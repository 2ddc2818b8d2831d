/**
 * Everything the form says, in one language, from the label bundles only: questions, hints, options, section and
 * grid titles, interface strings. A missing translation falls back to English, then to the key (visible, never
 * silent).
 */
import { bundles, fill, optionLabel, type Language } from '../../schemas/labels.js';
import type { Item } from '../../schemas/items.js';
import type { SurveyId } from '../../schemas/surveys.js';

export const LANGUAGE_NAMES: Record<Language, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

export class Texts {
  constructor(readonly lang: Language, readonly survey: SurveyId) {}

  ui(key: string, params: Record<string, string | number> = {}): string {
    return fill(bundles[this.lang].common.ui[key] ?? bundles.en.common.ui[key] ?? key, params);
  }

  title(): string {
    return bundles[this.lang].surveys[this.survey].title;
  }

  section(id: string): string {
    return bundles[this.lang].surveys[this.survey].sections[id] ?? id;
  }

  grid(id: string): string {
    return bundles[this.lang].surveys[this.survey].grids[id] ?? id;
  }

  label(item: Item): string {
    return bundles[this.lang].surveys[this.survey].items[item.id]?.label ?? item.id;
  }

  /** The question of an item known only by id (errors name items by id). */
  labelOf(id: string): string {
    return bundles[this.lang].surveys[this.survey].items[id]?.label ?? id;
  }

  hint(item: Item): string | undefined {
    return bundles[this.lang].surveys[this.survey].items[item.id]?.hint;
  }

  option(item: Item, code: unknown): string {
    return optionLabel(this.lang, this.survey, item.optionSet, code as string) ?? String(code);
  }
}

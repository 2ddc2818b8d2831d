/**
 * Everything the form says, in one language, from the label bundles only: questions, hints, options, section and
 * grid titles, interface strings. A missing translation falls back to English, then to the key (visible, never
 * silent).
 */
import { withConcerns, type SocialConcerns } from '../../schemas/concerns.js';
import { bundles, fill, optionLabel, surveyBundle, type Language, type SurveyBundle } from '../../schemas/labels.js';
import { itemById, type Item } from '../../schemas/items.js';
import type { SurveyId } from '../../schemas/surveys.js';

export const LANGUAGE_NAMES: Record<Language, string> = { kk: 'Қазақша', ru: 'Русский', en: 'English' };

/**
 * In one questionnaire version (the current one unless named): an interview reads the labels of its own. Questions
 * naming the social concerns get the study's (`concerns`), or a neutral phrase while none are known.
 */
export class Texts {
  constructor(readonly lang: Language, readonly survey: SurveyId, readonly version?: string, readonly concerns: SocialConcerns | null = null) {}

  private get bundle(): SurveyBundle {
    return surveyBundle(this.lang, this.survey, this.version);
  }

  ui(key: string, params: Record<string, string | number> = {}): string {
    return fill(bundles[this.lang].common.ui[key] ?? bundles.en.common.ui[key] ?? key, params);
  }

  title(): string {
    return this.bundle.title;
  }

  section(id: string): string {
    return this.bundle.sections[id] ?? id;
  }

  grid(id: string): string {
    return this.bundle.grids[id] ?? id;
  }

  label(item: Item): string {
    return this.labelOf(item.id);
  }

  /** The question of an item known only by id (errors name items by id). */
  labelOf(id: string): string {
    return withConcerns(this.bundle.items[id]?.label ?? id, this.lang, this.concerns);
  }

  hint(item: Item): string | undefined {
    return this.bundle.items[item.id]?.hint;
  }

  option(item: Item, code: unknown): string {
    return optionLabel(this.lang, this.survey, item.optionSet, code as string, this.version) ?? String(code);
  }

  /** A quota cell by its labels: "Region: Akmola, Age band: 61+" (a collapsed category without a label shows its code). */
  cell(categories: Readonly<Record<string, string>>): string {
    return Object.entries(categories).map(([variable, code]) => {
      // Derived variables (age band) are not items: their option set is named after them.
      const item = itemById(this.survey, variable, this.version);
      const option = item ? this.option(item, code) : optionLabel(this.lang, this.survey, variable, code, this.version) ?? code;
      return `${this.labelOf(variable)}: ${option}`;
    }).join(', ');
  }

  /**
   * A failed request as the interviewer reads it, from what the app records: `network` (no answer at all), or the
   * HTTP status and the problem code ("409 409.1"). Never the browser's own words, never the server's English.
   */
  problem(recorded: string): string {
    if (recorded === 'network') return this.ui('error_network');
    const [statusText = '', code = ''] = recorded.split(' ');
    const status = Number(statusText);
    const shown = code || statusText;
    if (status === 401) return this.ui('error_session');
    if (code === '429.2') return this.ui('error_locked');
    if (status === 429) return this.ui('error_rate_limited');
    if (status === 409 && code !== '409.6' && code !== '409.7') return this.ui('error_conflict', { code: shown });
    if (status >= 400 && status < 500 && status !== 408) return this.ui('error_invalid', { code: shown });
    return this.ui('error_server', { code: shown });
  }
}

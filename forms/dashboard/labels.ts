/**
 * How the dashboards name variables and their values: by the questionnaire's labels in the page's language (a grid
 * item with its grid's stem, a derived variable by its own label), never by the item id, which means nothing to a
 * country team. English stands in where a translation is missing, and the id only for a name no bundle has.
 */
import { questionText } from '../../schemas/codebook.js';
import { itemById } from '../../schemas/items.js';
import { bundles, optionLabel, type Language } from '../../schemas/labels.js';
import type { SurveyId } from '../../schemas/surveys.js';

/** The item's own label (a grid item without its stem, for lists grouped by grid), or a derived variable's. */
export function shortLabel(lang: Language, survey: SurveyId, id: string): string {
  return bundles[lang].surveys[survey].items[id]?.label ?? bundles.en.surveys[survey].items[id]?.label ?? id;
}

/** The question as the form asks it: a grid item carries its grid's stem, so "religious" under membership and under volunteering differ. */
export function variableLabel(lang: Language, survey: SurveyId, id: string): string {
  const item = itemById(survey, id);
  return item ? questionText(lang, item) || shortLabel(lang, survey, id) : shortLabel(lang, survey, id);
}

/** The grid stem an item belongs to, if any (for <optgroup>s). */
export function gridLabel(lang: Language, survey: SurveyId, id: string): string | null {
  const grid = itemById(survey, id)?.grid;
  return grid ? (bundles[lang].surveys[survey].grids[grid] ?? bundles.en.surveys[survey].grids[grid] ?? null) : null;
}

/** An answer code by its label; derived variables (age bands, SES groups) have their labels in the bundles too. */
export function valueLabel(lang: Language, survey: SurveyId, variable: string, code: string): string {
  const set = itemById(survey, variable)?.optionSet ?? variable;
  return optionLabel(lang, survey, set, code) ?? optionLabel('en', survey, set, code) ?? code.replace(/_plus$/, '+').replace(/_/g, '–');
}

/** A quota by its variables (interlocking ones joined by ×), not by its id (`ps_gender*ps_age_band`). */
export function quotaLabel(lang: Language, survey: SurveyId, variables: readonly string[]): string {
  return variables.map((v) => shortLabel(lang, survey, v)).join(' × ');
}

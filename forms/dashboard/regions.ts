/**
 * The survey's regions, as the admin pages offer them: the population questionnaire's `ps_region` codes (the list
 * the server checks user scopes against) with their labels in the interface language, never the codes alone.
 */
import { itemById } from '../../schemas/items.js';
import { optionLabel, type Language } from '../../schemas/labels.js';

const REGION = itemById('population', 'ps_region');

export const REGION_CODES: readonly string[] = REGION?.kind === 'choice' ? REGION.codes.map(String) : [];

export function regionLabel(lang: Language, code: string): string {
  return optionLabel(lang, 'population', REGION?.optionSet ?? 'ps_region', code) ?? code;
}

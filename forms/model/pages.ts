/**
 * Pages of a questionnaire, read off the schema: one page per `x-csi-sections` entry, in order, holding the items
 * an interviewer asks (system items are filled by the form, never asked). Consecutive items of one `x-csi-grid`
 * form one block, rendered as a grid under the grid's shared question.
 */
import { itemsOf, type Item } from '../../schemas/items.js';
import type { SurveyId } from '../../schemas/surveys.js';
import { requireQuestionnaire } from '../../schemas/versions.js';

export type Block = { kind: 'item'; item: Item } | { kind: 'grid'; grid: string; items: Item[] };

export interface Page {
  /** The section id (also the key of its duration in the paradata). */
  id: string;
  items: Item[];
  blocks: Block[];
}

function blocksOf(items: Item[]): Block[] {
  const blocks: Block[] = [];
  for (const item of items) {
    const last = blocks.at(-1);
    if (item.grid && last?.kind === 'grid' && last.grid === item.grid) last.items.push(item);
    else if (item.grid) blocks.push({ kind: 'grid', grid: item.grid, items: [item] });
    else blocks.push({ kind: 'item', item });
  }
  return blocks;
}

/** The pages of a questionnaire version (the current one unless named). */
export function pagesOf(survey: SurveyId, version?: string): Page[] {
  const byId = new Map(itemsOf(survey, version).map((i) => [i.id, i]));
  return requireQuestionnaire(survey, version)['x-csi-sections'].map((section) => {
    const items = section.items.map((id) => byId.get(id)).filter((i): i is Item => i !== undefined && !i.system);
    return { id: section.id, items, blocks: blocksOf(items) };
  });
}

/** Items filled by the form itself (interview date), never shown. */
export function systemItems(survey: SurveyId, version?: string): Item[] {
  return itemsOf(survey, version).filter((i) => i.system);
}

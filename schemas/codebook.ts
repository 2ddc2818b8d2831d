/**
 * The codebook's description of one item, shared by the generated docs/codebook.{md,csv} (scripts/codebook.ts) and
 * the codebook sheet of the Excel export, so the two cannot drift: the question in a language, the type, the codes
 * with their numeric export codes and labels, and the skip condition in words (item ids and codes, not translated).
 */
import type { Item } from './items.js';
import { optionLabel, surveyBundle, type Language } from './labels.js';
import type { JsonSchema, SurveyId } from './surveys.js';
import { requireQuestionnaire } from './versions.js';

function describeCondition(cond: JsonSchema): string {
  if (typeof cond === 'boolean') return String(cond);
  const parts: string[] = [];
  for (const [id, sub] of Object.entries(cond.properties ?? {})) {
    if (typeof sub === 'object' && 'const' in sub) parts.push(`${id} = ${String(sub.const)}`);
  }
  for (const id of cond.required ?? []) if (!cond.properties?.[id]) parts.push(`${id} answered`);
  return parts.join(' and ');
}

/** Skip and consistency conditions that mention the item, in words. */
export function skipConditionOf(survey: SurveyId, id: string, version?: string): string {
  const notes = new Set<string>();
  for (const rule of requireQuestionnaire(survey, version).allOf) {
    const then = typeof rule.then === 'object' ? rule.then : undefined;
    const otherwise = typeof rule.else === 'object' ? rule.else : undefined;
    if (otherwise?.properties?.[id] === false) notes.add(`asked only if ${describeCondition(rule.if)}`);
    const constraint = then?.properties?.[id];
    if (typeof constraint === 'object' && constraint.not !== undefined && typeof rule.if === 'object') {
      notes.add(`must differ from ${Object.keys(rule.if.properties ?? {}).join(', ')}`);
    }
  }
  return [...notes].join('; ');
}

/** The question as the form shows it; a grid item carries its grid's stem. */
export function questionText(lang: Language, item: Item, version?: string): string {
  const b = surveyBundle(lang, item.survey, version);
  const label = b.items[item.id]?.label ?? '';
  const grid = item.grid ? b.grids[item.grid] : undefined;
  return grid ? `${grid} — ${label}` : label;
}

export function itemTypeOf(item: Item): string {
  if (item.kind === 'choice') return 'single choice';
  const range = item.minimum !== undefined || item.maximum !== undefined ? ` ${item.minimum ?? ''}–${item.maximum ?? ''}` : '';
  return `${item.kind}${range}`;
}

/** `code (numeric) = label; …`, special answers (dk 98, ref 99) last where the item takes them. */
export function codesOf(lang: Language, item: Item, version?: string): string {
  const codes: Array<string | number | boolean> = [...item.codes, ...(item.special ? ['dk', 'ref'] : [])];
  return codes.map((c) => {
    const n = item.numericCodes[String(c)];
    return `${String(c)}${n === undefined ? '' : ` (${n})`} = ${optionLabel(lang, item.survey, item.optionSet, c, version) ?? '?'}`;
  }).join('; ');
}

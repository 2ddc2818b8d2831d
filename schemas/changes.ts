/**
 * What changed from one questionnaire version to the next, read off the two schemas and their label bundles, and
 * whether the change is safe: `npm run generate` writes the changes as each version's changelog and refuses a
 * version that removes a code or an item, or changes an item's type, without a declared mapping (answers given in
 * the older version would otherwise have no reading in the newer one).
 */
import { skipConditionOf } from './codebook.js';
import { itemsOf, type Item } from './items.js';
import { LANGUAGES, surveyBundle } from './labels.js';
import type { SurveyId, VersionMapping } from './surveys.js';

export interface VersionChanges {
  survey: SurveyId;
  from: string;
  to: string;
  itemsAdded: string[];
  itemsRemoved: string[];
  /** Item -> the kinds before and after. */
  typeChanged: Array<{ item: string; from: string; to: string }>;
  codesAdded: Array<{ item: string; codes: string[] }>;
  codesRemoved: Array<{ item: string; codes: string[] }>;
  /** Question, hint or answer labels that differ, per language. */
  relabelled: Array<{ item: string; lang: string; what: string; from: string; to: string }>;
  skipChanged: Array<{ item: string; from: string; to: string }>;
}

const kindOf = (item: Item): string => (item.kind === 'choice' ? 'choice' : item.kind === 'integer' || item.kind === 'number' ? 'number' : item.kind);

export function versionChanges(survey: SurveyId, from: string, to: string): VersionChanges {
  const before = new Map(itemsOf(survey, from).map((i) => [i.id, i]));
  const after = new Map(itemsOf(survey, to).map((i) => [i.id, i]));
  const changes: VersionChanges = { survey, from, to, itemsAdded: [], itemsRemoved: [], typeChanged: [], codesAdded: [], codesRemoved: [], relabelled: [], skipChanged: [] };
  for (const id of after.keys()) if (!before.has(id)) changes.itemsAdded.push(id);
  for (const [id, old] of before) {
    const now = after.get(id);
    if (!now) { changes.itemsRemoved.push(id); continue; }
    if (kindOf(old) !== kindOf(now)) changes.typeChanged.push({ item: id, from: old.kind, to: now.kind });
    const oldCodes = old.codes.map(String);
    const newCodes = now.codes.map(String);
    const added = newCodes.filter((c) => !oldCodes.includes(c));
    const removed = oldCodes.filter((c) => !newCodes.includes(c));
    if (added.length) changes.codesAdded.push({ item: id, codes: added });
    if (removed.length && kindOf(old) === kindOf(now)) changes.codesRemoved.push({ item: id, codes: removed });
    const skipBefore = skipConditionOf(survey, id, from);
    const skipAfter = skipConditionOf(survey, id, to);
    if (skipBefore !== skipAfter) changes.skipChanged.push({ item: id, from: skipBefore, to: skipAfter });
    for (const lang of LANGUAGES) {
      const b = surveyBundle(lang, survey, from);
      const a = surveyBundle(lang, survey, to);
      for (const what of ['label', 'hint'] as const) {
        const x = b.items[id]?.[what] ?? '';
        const y = a.items[id]?.[what] ?? '';
        if (x !== y) changes.relabelled.push({ item: id, lang, what, from: x, to: y });
      }
      for (const code of newCodes.filter((c) => oldCodes.includes(c))) {
        const x = b.options[old.optionSet]?.[code] ?? '';
        const y = a.options[now.optionSet]?.[code] ?? '';
        if (x !== y) changes.relabelled.push({ item: id, lang, what: `code ${code}`, from: x, to: y });
      }
    }
  }
  return changes;
}

/**
 * Why a version cannot be published as it stands: each removed item, removed code and changed type needs an entry in
 * the mapping from the version before. Empty when it is compatible.
 */
export function compatibilityErrors(changes: VersionChanges, mapping: VersionMapping | undefined): string[] {
  const at = `${changes.survey} ${changes.to}`;
  const file = `schemas/questionnaires/${changes.survey}/${changes.to}.mapping.json`;
  const items = mapping?.items ?? {};
  const errors: string[] = [];
  for (const id of changes.itemsRemoved) {
    if (!(id in items)) errors.push(`${at} removes item ${id}: declare it in ${file} (${id}: null keeps its ${changes.from} answers under their id, with no reading in ${changes.to})`);
  }
  for (const { item, codes } of changes.codesRemoved) {
    const declared = items[item];
    const missing = codes.filter((c) => declared === null || declared === undefined || !(c in declared));
    if (missing.length) errors.push(`${at} removes code${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${item}: map ${missing.length > 1 ? 'them' : 'it'} in ${file} (e.g. "${item}": {"${missing[0]}": "<a ${changes.to} code>"}, or null for no equivalent)`);
  }
  for (const { item, from, to } of changes.typeChanged) {
    if (!items[item]) errors.push(`${at} changes the type of ${item} from ${from} to ${to}: map its ${changes.from} values to ${changes.to} ones in ${file}`);
  }
  for (const [item, codes] of Object.entries(items)) {
    const known = changes.itemsRemoved.includes(item) || changes.typeChanged.some((c) => c.item === item) || changes.codesRemoved.some((c) => c.item === item);
    if (!known) errors.push(`${at}: ${file} maps ${item}, which neither lost a code nor changed type nor was removed`);
    else if (codes !== null && changes.itemsRemoved.includes(item)) errors.push(`${at}: ${file} maps the codes of ${item}, which ${changes.to} removed: write "${item}": null`);
  }
  return errors;
}

/** The changelog of a version, in words, as `npm run generate` writes it to docs/changelog/. */
export function renderChangelog(changes: VersionChanges, mapping: VersionMapping | undefined): string {
  const { survey, from, to } = changes;
  const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(', ');
  const out = [`# ${survey} ${to}`, '', `Changes from ${from}, generated from the schemas and label bundles by \`npm run generate\`: do not edit.`, ''];
  const section = (title: string, lines: string[]) => { if (lines.length) out.push(`## ${title}`, '', ...lines.map((l) => `- ${l}`), ''); };
  section('Items added', changes.itemsAdded.map((id) => `\`${id}\`: ${surveyBundle('en', survey, to).items[id]?.label ?? ''} (missing by design in responses collected with ${from})`));
  section('Items removed', changes.itemsRemoved.map((id) => `\`${id}\``));
  section('Types changed', changes.typeChanged.map((c) => `\`${c.item}\`: ${c.from} → ${c.to}`));
  section('Codes added', changes.codesAdded.map((c) => `\`${c.item}\`: ${list(c.codes)}`));
  section('Codes removed', changes.codesRemoved.map((c) => `\`${c.item}\`: ${list(c.codes)}`));
  section('Labels changed', changes.relabelled.map((c) => `\`${c.item}\` (${c.lang}, ${c.what}): “${c.from}” → “${c.to}”`));
  section('Skip rules changed', changes.skipChanged.map((c) => `\`${c.item}\`: ${c.from || 'always asked'} → ${c.to || 'always asked'}`));
  const mapped = Object.entries(mapping?.items ?? {});
  section(`Mapping from ${from}`, mapped.length
    ? mapped.map(([id, codes]) => (codes === null ? `\`${id}\`: removed; ${from} answers kept under their id` : `\`${id}\`: ${Object.entries(codes).map(([a, b]) => `${a} → ${b === null ? 'missing' : String(b)}`).join(', ')}`))
    : [`none needed: every ${from} answer reads as it is in ${to}`]);
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * The codebook, generated from the schemas and bundles: for every item its question in each language, type,
 * codes with labels, skip condition and the indicators it feeds. Markdown for people, CSV for spreadsheets.
 * The main codebook covers every version of each questionnaire (the union of their items, each described as its
 * newest version asks it, with the versions that ask it and its history); a per-version codebook describes one.
 */
import { stringify } from 'csv-stringify/sync';
import { codesOf, itemTypeOf, questionText, skipConditionOf } from '../schemas/codebook.js';
import { itemsOf } from '../schemas/items.js';
import { versionChanges } from '../schemas/changes.js';
import { bundles, LANGUAGES } from '../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../schemas/surveys.js';
import { requireQuestionnaire, unionItemIds, versionsOf } from '../schemas/versions.js';

export { skipConditionOf };

export interface CodebookRow {
  survey: SurveyId;
  item: string;
  section: string;
  type: string;
  required: string;
  skip: string;
  feeds: string;
  codes: string;
  question_en: string;
  question_ru: string;
  question_kk: string;
  /** The versions that ask the item. */
  versions: string;
  /** What each version changed about it. */
  history: string;
}

/** Per item, what each version changed about it, in words ("1.1.0: code azerbaijani added"). */
function historyOf(survey: SurveyId): Map<string, string[]> {
  const notes = new Map<string, string[]>();
  const note = (id: string, text: string) => notes.set(id, [...(notes.get(id) ?? []), text]);
  const versions = versionsOf(survey);
  const first = versions[0]?.version ?? '';
  for (const id of Object.keys(requireQuestionnaire(survey, first).properties)) note(id, `${first}: asked`);
  for (const [i, v] of versions.entries()) {
    const previous = versions[i - 1];
    if (!previous) continue;
    const c = versionChanges(survey, previous.version, v.version);
    for (const id of c.itemsAdded) note(id, `${v.version}: added`);
    for (const id of c.itemsRemoved) note(id, `${v.version}: removed`);
    for (const t of c.typeChanged) note(t.item, `${v.version}: type ${t.from} → ${t.to}`);
    for (const a of c.codesAdded) note(a.item, `${v.version}: code${a.codes.length > 1 ? 's' : ''} ${a.codes.join(', ')} added`);
    for (const r of c.codesRemoved) note(r.item, `${v.version}: code${r.codes.length > 1 ? 's' : ''} ${r.codes.join(', ')} removed`);
    for (const l of c.relabelled) note(l.item, `${v.version}: ${l.lang} ${l.what} reworded`);
    for (const k of c.skipChanged) note(k.item, `${v.version}: skip rule changed`);
  }
  return notes;
}

function rowOf(survey: SurveyId, version: string, id: string, versions: string, history: string): CodebookRow {
  const item = itemsOf(survey, version).find((i) => i.id === id);
  if (!item) throw new Error(`${survey} ${version} has no item ${id}`);
  return {
    survey,
    item: item.id,
    section: item.system ? '(system)' : item.section ?? '',
    type: itemTypeOf(item),
    required: item.alwaysRequired ? 'yes' : item.system ? 'no (system)' : 'conditional or optional',
    skip: skipConditionOf(survey, item.id, version),
    feeds: item.feeds.join(' '),
    codes: codesOf('en', item, version),
    question_en: questionText('en', item, version),
    question_ru: questionText('ru', item, version),
    question_kk: questionText('kk', item, version),
    versions,
    history,
  };
}

/** Every item any version of each questionnaire asks, described as the newest version that asks it does. */
export function codebookRows(): CodebookRow[] {
  const rows: CodebookRow[] = [];
  for (const survey of SURVEY_IDS) {
    const history = historyOf(survey);
    for (const id of unionItemIds(survey)) {
      const asking = versionsOf(survey).filter((v) => id in v.schema.properties).map((v) => v.version);
      rows.push(rowOf(survey, asking.at(-1) ?? '', id, asking.join(', '), (history.get(id) ?? []).join('; ')));
    }
  }
  return rows;
}

/** The codebook of one version: its items as it asks them. */
export function versionCodebookRows(survey: SurveyId, version: string): CodebookRow[] {
  return itemsOf(survey, version).map((item) => rowOf(survey, version, item.id, version, ''));
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderCodebookMarkdown(rows: CodebookRow[]): string {
  const out: string[] = [
    '# Codebook',
    '',
    'Generated from `schemas/questionnaires/<survey>/<version>.schema.json` and `schemas/i18n/` by `npm run generate`: do not edit.',
    'Special answers: `dk` (98) don\'t know, `ref` (99) refused. Russian and Kazakh wording are working translations',
    'not yet reviewed by a native speaker. Every version of each questionnaire is here: an item is described as the',
    'newest version that asks it; its versions and history say what each version changed (docs/changelog/ has the',
    'changes per version, docs/codebook/ one codebook per version).',
  ];
  for (const survey of SURVEY_IDS) {
    const versions = versionsOf(survey);
    out.push('', `## ${bundles.en.surveys[survey].title} (\`${survey}\`, versions ${versions.map((v) => `${v.version} (${v.status})`).join(', ')})`, '');
    out.push(...versions.map((v) => `Schema id of ${v.version}: \`${v.schema.$id}\``), '');
    out.push('| Item | Section | Type | Codes | Skip | Feeds | Question (en / ru / kk) | Versions | History |', '|---|---|---|---|---|---|---|---|---|');
    for (const r of rows.filter((row) => row.survey === survey)) {
      const q = LANGUAGES.map((l) => md(r[`question_${l}`])).join('<br>');
      out.push(`| \`${r.item}\` | ${r.section} | ${r.type}${r.required === 'yes' ? '' : ` (${r.required})`} | ${md(r.codes)} | ${md(r.skip)} | ${r.feeds} | ${q} | ${r.versions} | ${md(r.history)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderCodebookCsv(rows: CodebookRow[]): string {
  return stringify(rows as unknown as Record<string, string>[], { header: true, bom: true, escape_formulas: true });
}

/**
 * The codebook, generated from the schemas and bundles: for every item its question in each language, type,
 * codes with labels, skip condition and the indicators it feeds. Markdown for people, CSV for spreadsheets.
 */
import { stringify } from 'csv-stringify/sync';
import { itemsOf, type Item } from '../schemas/items.js';
import { bundles, LANGUAGES, optionLabel, type Language } from '../schemas/labels.js';
import { questionnaires, SURVEY_IDS, type JsonSchema, type SurveyId } from '../schemas/surveys.js';

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
export function skipConditionOf(survey: SurveyId, id: string): string {
  const notes = new Set<string>();
  for (const rule of questionnaires[survey].allOf) {
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

function question(lang: Language, item: Item): string {
  const b = bundles[lang].surveys[item.survey];
  const label = b.items[item.id]?.label ?? '';
  const grid = item.grid ? b.grids[item.grid] : undefined;
  return grid ? `${grid} — ${label}` : label;
}

function typeOf(item: Item): string {
  if (item.kind === 'choice') return 'single choice';
  const range = item.minimum !== undefined || item.maximum !== undefined ? ` ${item.minimum ?? ''}–${item.maximum ?? ''}` : '';
  return `${item.kind}${range}`;
}

function codesOf(lang: Language, item: Item): string {
  const codes: Array<string | number | boolean> = [...item.codes, ...(item.special ? ['dk', 'ref'] : [])];
  return codes.map((c) => {
    const n = item.numericCodes[String(c)];
    return `${String(c)}${n === undefined ? '' : ` (${n})`} = ${optionLabel(lang, item.survey, item.optionSet, c) ?? '?'}`;
  }).join('; ');
}

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
}

export function codebookRows(): CodebookRow[] {
  const rows: CodebookRow[] = [];
  for (const survey of SURVEY_IDS) {
    for (const item of itemsOf(survey)) {
      rows.push({
        survey,
        item: item.id,
        section: item.system ? '(system)' : item.section ?? '',
        type: typeOf(item),
        required: item.alwaysRequired ? 'yes' : item.system ? 'no (system)' : 'conditional or optional',
        skip: skipConditionOf(survey, item.id),
        feeds: item.feeds.join(' '),
        codes: codesOf('en', item),
        question_en: question('en', item),
        question_ru: question('ru', item),
        question_kk: question('kk', item),
      });
    }
  }
  return rows;
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderCodebookMarkdown(rows: CodebookRow[]): string {
  const out: string[] = [
    '# Codebook',
    '',
    'Generated from `schemas/questionnaires/*.schema.json` and `schemas/i18n/` by `npm run generate`: do not edit.',
    'Special answers: `dk` (98) don\'t know, `ref` (99) refused. Russian and Kazakh wording are working translations',
    'not yet reviewed by a native speaker.',
  ];
  for (const survey of SURVEY_IDS) {
    const s = questionnaires[survey];
    out.push('', `## ${bundles.en.surveys[survey].title} (\`${survey}\`, version ${s['x-csi-version']})`, '', `Schema id: \`${s.$id}\``, '');
    out.push('| Item | Section | Type | Codes | Skip | Feeds | Question (en / ru / kk) |', '|---|---|---|---|---|---|---|');
    for (const r of rows.filter((row) => row.survey === survey)) {
      const q = LANGUAGES.map((l) => md(r[`question_${l}`])).join('<br>');
      out.push(`| \`${r.item}\` | ${r.section} | ${r.type}${r.required === 'yes' ? '' : ` (${r.required})`} | ${md(r.codes)} | ${md(r.skip)} | ${r.feeds} | ${q} |`);
    }
  }
  return `${out.join('\n')}\n`;
}

export function renderCodebookCsv(rows: CodebookRow[]): string {
  return stringify(rows as unknown as Record<string, string>[], { header: true, bom: true, escape_formulas: true });
}

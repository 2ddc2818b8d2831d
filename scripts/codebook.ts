/**
 * The codebook, generated from the schemas and bundles: for every item its question in each language, type,
 * codes with labels, skip condition and the indicators it feeds. Markdown for people, CSV for spreadsheets.
 */
import { stringify } from 'csv-stringify/sync';
import { codesOf, itemTypeOf, questionText, skipConditionOf } from '../schemas/codebook.js';
import { itemsOf } from '../schemas/items.js';
import { bundles, LANGUAGES } from '../schemas/labels.js';
import { questionnaires, SURVEY_IDS, type SurveyId } from '../schemas/surveys.js';

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
}

export function codebookRows(): CodebookRow[] {
  const rows: CodebookRow[] = [];
  for (const survey of SURVEY_IDS) {
    for (const item of itemsOf(survey)) {
      rows.push({
        survey,
        item: item.id,
        section: item.system ? '(system)' : item.section ?? '',
        type: itemTypeOf(item),
        required: item.alwaysRequired ? 'yes' : item.system ? 'no (system)' : 'conditional or optional',
        skip: skipConditionOf(survey, item.id),
        feeds: item.feeds.join(' '),
        codes: codesOf('en', item),
        question_en: questionText('en', item),
        question_ru: questionText('ru', item),
        question_kk: questionText('kk', item),
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

/**
 * The Excel export of a survey: a `data` sheet (the CSV export's columns and rows, numbers as numbers, blanks
 * empty, codes or labels as asked) and a `codebook` sheet describing each item, derived variable and the weight in
 * the chosen language, from the same functions that generate docs/codebook (schemas/codebook.ts).
 */
import { withConcerns, type SocialConcerns } from '../../schemas/concerns.js';
import type { Readable } from 'node:stream';
import { codesOf, itemTypeOf, questionText, skipConditionOf } from '../../schemas/codebook.js';
import { itemsOf, unionItemsOf } from '../../schemas/items.js';
import { bundles, optionLabel, surveyBundle, type Language } from '../../schemas/labels.js';
import { questionnaires, type SurveyId } from '../../schemas/surveys.js';
import { versionsOf } from '../../schemas/versions.js';
import { xlsxStream } from './xlsx.js';

export const CODEBOOK_COLUMNS = ['item', 'section', 'question', 'type', 'codes', 'skip'] as const;

/** The weight column's description: it is no questionnaire item, so no bundle labels it. */
const WEIGHT_LABEL: Record<Language, string> = {
  en: 'Weight raked to the population margins (blank when the response cannot be weighted)',
  ru: 'Вес, откалиброванный по маргиналам генеральной совокупности (пусто, если ответ нельзя взвесить)',
  kk: 'Бас жиынтықтың маргиналдарына келтірілген салмақ (жауапты салмақтау мүмкін болмаса, бос)',
};

function derivedRows(survey: SurveyId, lang: Language): string[][] {
  const derived = questionnaires[survey].$defs.derived as { properties?: Record<string, { enum?: string[]; 'x-csi-codes'?: Record<string, number> }> } | undefined;
  return Object.entries(derived?.properties ?? {}).map(([id, node]) => {
    const codes = (node.enum ?? []).map((c) => `${c} (${node['x-csi-codes']?.[c] ?? '?'}) = ${optionLabel(lang, survey, id, c) ?? '?'}`).join('; ');
    return [id, '(derived)', bundles[lang].surveys[survey].items[id]?.label ?? '', 'derived, single choice', codes, ''];
  });
}

/**
 * One row per questionnaire item, then the derived variables and, where there is one, the weight: the items of every
 * version (each as its newest version asks it), or of one version when named (the per-version codebook sheets).
 */
export function codebookSheetRows(survey: SurveyId, lang: Language, weighted: boolean, version?: string, concerns: SocialConcerns | null = null): string[][] {
  const items = (version === undefined ? unionItemsOf(survey) : itemsOf(survey, version)).map((item) => {
    const asked = version ?? [...versionsOf(survey)].reverse().find((v) => item.id in v.schema.properties)?.version;
    const sections = surveyBundle(lang, survey, asked).sections;
    return [
      item.id, item.system ? '(system)' : (item.section ? sections[item.section] ?? item.section : ''),
      withConcerns(questionText(lang, item, asked), lang, concerns), itemTypeOf(item), codesOf(lang, item, asked), skipConditionOf(survey, item.id, asked),
    ];
  });
  return [...items, ...derivedRows(survey, lang), ...(weighted ? [['weight', '', WEIGHT_LABEL[lang], 'number', '', '']] : [])];
}

export interface XlsxExportInput {
  survey: SurveyId;
  lang: Language;
  columns: readonly string[];
  rows: AsyncIterable<readonly unknown[]>;
  /** The study's social concerns, named in the impact questions' labels. */
  concerns?: SocialConcerns | null;
}

export function xlsxExport(input: XlsxExportInput): Readable {
  return xlsxStream([
    { name: 'data', columns: input.columns, rows: input.rows },
    {
      name: 'codebook', columns: CODEBOOK_COLUMNS, widths: [28, 24, 60, 18, 60, 40],
      rows: codebookSheetRows(input.survey, input.lang, input.columns.includes('weight'), undefined, input.concerns ?? null),
    },
    // One codebook per questionnaire version: the data sheet holds responses of each (its questionnaire_version).
    ...versionsOf(input.survey).map(({ version }) => ({
      name: `codebook ${version}`, columns: CODEBOOK_COLUMNS, widths: [28, 24, 60, 18, 60, 40],
      rows: codebookSheetRows(input.survey, input.lang, input.columns.includes('weight'), version, input.concerns ?? null),
    })),
  ]);
}

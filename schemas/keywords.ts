/**
 * The annotation keywords the questionnaires carry for the form, the codebook and the indicators, and the ajv
 * options every compilation uses. Declared, not ignored: ajv's strict mode rejects any keyword not listed here.
 */
export const ANNOTATION_KEYWORDS = [
  'x-csi-survey', // root: survey id
  'x-csi-version', // root: questionnaire version (also in $id)
  'x-csi-sections', // root: ordered pages, each {id, items}
  'x-csi-feeds', // item: indicator ids the item feeds
  'x-csi-grid', // item: grid id; consecutive items of one grid render as one table
  'x-csi-system', // item: filled by the system, never asked
  'x-csi-messages', // item: {keyword: message id} overrides, e.g. minimum -> ineligible_age
  'x-csi-codes', // enum: numeric export code of each answer code
  'x-csi-measure', // enum: "ordinal" when the codes are ordered (SPSS measurement level); other choices are nominal
  'x-csi-role', // item: what the item is to the system (region, interviewer, respondent key, interview date); see survey-definition.ts
] as const;

/** Options shared by the runtime ajv and the standalone generator, so both give identical results. */
export const AJV_OPTIONS = {
  strict: true,
  // `then: {required: [x]}` names items declared at the root, which strictRequired would reject.
  strictRequired: false,
  allErrors: true,
} as const;

/** The special answers every closed attitude item accepts. */
export const SPECIAL_ANSWERS = ['dk', 'ref'] as const;
export type SpecialAnswer = (typeof SPECIAL_ANSWERS)[number];
/**
 * Numeric export codes of the special answers of number items (ages, counts, amounts, percentages). Closed items
 * code them 98 and 99, but 98 and 99 are real values of a percentage or an amount, so numbers take -98 and -99.
 */
export const NUMBER_SPECIAL_CODES: Readonly<Record<SpecialAnswer, number>> = { dk: -98, ref: -99 };
export function isSpecialAnswer(value: unknown): value is SpecialAnswer {
  return value === 'dk' || value === 'ref';
}

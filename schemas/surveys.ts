/**
 * The three questionnaires and the shapes of their schema documents. The JSON files are the source of truth;
 * this module only gives them a type and a name.
 */
import population from './questionnaires/population.schema.json' with { type: 'json' };
import organisational from './questionnaires/organisational.schema.json' with { type: 'json' };
import external from './questionnaires/external.schema.json' with { type: 'json' };

export const SURVEY_IDS = ['population', 'organisational', 'external'] as const;
export type SurveyId = (typeof SURVEY_IDS)[number];

export type JsonSchema = boolean | SchemaObject;

export interface SchemaObject {
  $ref?: string;
  title?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  not?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  'x-csi-feeds'?: string[];
  'x-csi-grid'?: string;
  'x-csi-system'?: boolean;
  'x-csi-messages'?: Record<string, string>;
  'x-csi-codes'?: Record<string, number>;
  'x-csi-measure'?: 'ordinal';
  'x-csi-role'?: string;
}

export interface Section {
  id: string;
  items: string[];
}

/** A conditional (skip) rule: when `if` matches the answers, `then` applies, otherwise `else`. */
export interface ConditionalRule {
  if: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
}

export interface QuestionnaireSchema extends SchemaObject {
  $schema: string;
  $id: string;
  title: string;
  'x-csi-survey': SurveyId;
  'x-csi-version': string;
  'x-csi-sections': Section[];
  properties: Record<string, SchemaObject>;
  required: string[];
  allOf: ConditionalRule[];
  $defs: Record<string, SchemaObject>;
}

export const questionnaires: Readonly<Record<SurveyId, QuestionnaireSchema>> = {
  population: population as unknown as QuestionnaireSchema,
  organisational: organisational as unknown as QuestionnaireSchema,
  external: external as unknown as QuestionnaireSchema,
};

export function isSurveyId(value: unknown): value is SurveyId {
  return typeof value === 'string' && (SURVEY_IDS as readonly string[]).includes(value);
}

/** The version of a questionnaire as stored with every response. */
export function questionnaireVersion(survey: SurveyId): string {
  return questionnaires[survey]['x-csi-version'];
}

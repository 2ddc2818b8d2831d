/**
 * The server's validators: every questionnaire compiled once by ajv (draft 2020-12, strict, all errors). A schema
 * that does not compile throws here, at boot. scripts/generate.ts uses the same instance to write the standalone
 * modules, so both engines share options, keywords and formats.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { _ } from 'ajv/dist/compile/codegen/index.js';
import { apiSchemas, type ApiSchemaName } from './api.js';
import { formats } from './formats.js';
import { AJV_OPTIONS, ANNOTATION_KEYWORDS } from './keywords.js';
import { SURVEY_IDS, type SurveyId } from './surveys.js';
import { requireQuestionnaire, versionsOf } from './versions.js';
import { toValidator, type RawValidate, type Validator } from './validation.js';

/** An ajv instance with every version of every questionnaire added (their `$id`s differ by version). `forStandalone` keeps the source for code generation. */
export function createAjv({ forStandalone = false } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    ...AJV_OPTIONS,
    // The generated modules import `formats` from schemas/formats.ts, see scripts/generate.ts.
    code: forStandalone ? { source: true, esm: true, formats: _`formats` } : {},
  });
  for (const keyword of ANNOTATION_KEYWORDS) ajv.addKeyword({ keyword });
  for (const [name, definition] of Object.entries(formats)) ajv.addFormat(name, definition);
  for (const survey of SURVEY_IDS) for (const { schema } of versionsOf(survey)) ajv.addSchema(schema);
  for (const schema of Object.values(apiSchemas)) ajv.addSchema(schema);
  return ajv;
}

/** Validators of the API payloads (envelope, review, query strings), raw: callers shape errors for their context. */
export function compileApiValidators(ajv: Ajv2020 = createAjv()): Record<ApiSchemaName, RawValidate> {
  return Object.fromEntries(Object.entries(apiSchemas).map(([name, schema]) => {
    const validate = ajv.getSchema(schema.$id);
    if (!validate) throw new Error(`API schema ${name} did not compile`);
    return [name, validate as RawValidate];
  })) as Record<ApiSchemaName, RawValidate>;
}

export function compileRaw(ajv: Ajv2020, survey: SurveyId, version?: string): RawValidate {
  const schema = requireQuestionnaire(survey, version);
  const validate = ajv.getSchema(schema.$id);
  if (!validate) throw new Error(`questionnaire ${survey} ${schema['x-csi-version']} did not compile`);
  return validate as RawValidate;
}

/** One validator per questionnaire (its current version), compiled by ajv. */
export function compileValidators(ajv: Ajv2020 = createAjv()): Record<SurveyId, Validator> {
  return Object.fromEntries(SURVEY_IDS.map((s) => [s, toValidator(s, compileRaw(ajv, s))])) as Record<SurveyId, Validator>;
}

/** One validator per version of every questionnaire: survey -> version -> validator. */
export function compileVersionValidators(ajv: Ajv2020 = createAjv()): Record<SurveyId, Record<string, Validator>> {
  return Object.fromEntries(SURVEY_IDS.map((s) => [s, Object.fromEntries(versionsOf(s).map(({ version }) => [version, toValidator(s, compileRaw(ajv, s, version))]))])) as Record<SurveyId, Record<string, Validator>>;
}

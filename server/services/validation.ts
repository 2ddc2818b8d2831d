/**
 * The validators a service needs, compiled once at boot, and the shaping of their errors for the API: answer
 * errors keep the shared `{path, item, keyword, message}` shape (path relative to the body), envelope and query
 * errors have no item.
 */
import { compileApiValidators, compileValidators, compileVersionValidators, createAjv } from '../../schemas/ajv.js';
import type { ApiSchemaName } from '../../schemas/api.js';
import type { Language } from '../../schemas/labels.js';
import { SURVEY_IDS, type SurveyId } from '../../schemas/surveys.js';
import type { RawValidate, Validator } from '../../schemas/validation.js';
import type { ValidationError } from '../../schemas/validation-errors.js';
import { versionPolicy, type VersionPolicy } from '../../schemas/versions.js';

export interface Validators {
  /** Each survey's current version (as shipped). */
  answers: Record<SurveyId, Validator>;
  /** Every version of each survey: responses are validated and corrected against their own. */
  versions: Record<SurveyId, Record<string, Validator>>;
  /** Which version this server offers as current and which it accepts new responses in (CSI_PIN_VERSIONS). */
  policy: Record<SurveyId, VersionPolicy>;
  api: Record<ApiSchemaName, RawValidate>;
}

export function compileAllValidators(pinned: Partial<Record<SurveyId, string>> = {}): Validators {
  const ajv = createAjv();
  const policy = Object.fromEntries(SURVEY_IDS.map((s) => [s, versionPolicy(s, pinned[s])])) as Record<SurveyId, VersionPolicy>;
  return { answers: compileValidators(ajv), versions: compileVersionValidators(ajv), policy, api: compileApiValidators(ajv) };
}

/** Errors of an API payload (envelope, review, query string), with paths under `prefix`. */
export function apiErrors(validate: RawValidate, value: unknown, prefix = ''): ValidationError[] | null {
  if (validate(value)) return null;
  return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => {
    const missing = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
    const allowed = e.keyword === 'enum' && Array.isArray(e.params.allowedValues) ? { allowedValues: e.params.allowedValues as ValidationError['allowedValues'] } : {};
    return { path: `${prefix}${e.instancePath}${missing}${extra}`, item: null, keyword: e.keyword, message: e.message ?? 'is invalid', ...allowed };
  });
}

/** Answer errors in the interviewer's language, paths made relative to the request body. */
export function answerErrors(validator: Validator, answers: unknown, lang: Language): ValidationError[] | null {
  const result = validator(answers, lang);
  return result.valid ? null : result.errors.map((e) => ({ ...e, path: `/answers${e.path}` }));
}
